import { errorSchema, ROUTES, type RouteSpec } from './schemas.js';

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  202: 'Accepted',
  400: 'Invalid request (code, message, field, value)',
  401: 'Missing or wrong bearer token',
  404: 'Not found',
  409: 'Conflict (duplicate request, session not running)',
  429: 'Queue full',
  500: 'Internal error',
  503: 'Draining',
};

const errorResponse = (status: number): object => ({
  description: STATUS_TEXT[status] ?? 'Error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function successResponse(route: RouteSpec): object {
  const media = route.produces ?? 'application/json';
  const schema =
    media === 'text/event-stream'
      ? { type: 'string', description: "Events 'output', 'message' and 'ended'; each data line is JSON. Comment lines are heartbeats." }
      : media === 'text/plain'
        ? { type: 'string', description: 'Prometheus text exposition format' }
        : route.operationId === 'listSessions' || route.operationId === 'listApprovals'
          ? { type: 'array', items: { type: 'object' } }
          : { type: 'object' };
  return { description: STATUS_TEXT[route.status] ?? 'OK', content: { [media]: { schema } } };
}

interface ObjectSchema {
  required?: readonly string[];
  properties?: Record<string, object>;
}

function parameters(route: RouteSpec): object[] {
  const out: object[] = [];
  for (const [where, schema] of [
    ['path', route.schema.params],
    ['query', route.schema.querystring],
  ] as const) {
    const { properties = {}, required = [] } = (schema ?? {}) as ObjectSchema;
    for (const [name, property] of Object.entries(properties)) {
      out.push({ name, in: where, required: where === 'path' || required.includes(name), schema: property });
    }
  }
  return out;
}

function operation(route: RouteSpec): object {
  const statuses = [...(route.schema.body || route.schema.params || route.schema.querystring ? [400] : []), ...(route.errors ?? [])];
  const responses: Record<string, object> = { [String(route.status)]: successResponse(route) };
  if (!route.public) responses['401'] = errorResponse(401);
  for (const status of [...statuses, 500]) responses[String(status)] = errorResponse(status);
  const { body } = route.schema;
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.public ? { security: [] } : {}),
    ...(parameters(route).length > 0 ? { parameters: parameters(route) } : {}),
    ...(body ? { requestBody: { required: route.operationId === 'submitRequest', content: { 'application/json': { schema: body } } } } : {}),
    responses,
  };
}

function buildDocument(routes: readonly RouteSpec[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'vp-daemon control API',
      version: '1',
      description: 'Local control API of the vp-daemon. Every route but GET /openapi.json needs `Authorization: Bearer <token>` (the `api-token` file in the state folder).',
    },
    servers: [{ url: 'http://127.0.0.1' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}

/** OpenAPI 3.1 document of every route of the control API. */
export const OPENAPI_DOCUMENT: object = buildDocument(ROUTES);
