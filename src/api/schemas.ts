// The route table: every route's method, path and request schema, shared by the server (validation)
// and the OpenAPI document, so the document cannot miss a route.
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../pool/options.js';

const id = { type: 'string', minLength: 1, maxLength: 256 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id } } as const;

/** The JSON shape of a `TriageRequest`; the backend validates the rest (charter contents, folders). */
export const triageRequestSchema = {
  type: 'object',
  required: ['task', 'charter', 'workingDirectory'],
  properties: {
    requestId: id,
    task: {
      type: 'object',
      required: ['id', 'description'],
      properties: {
        id,
        description: { type: 'string', minLength: 1 },
        relatedTasks: { type: 'array', items: { type: 'string' } },
        metadata: { type: 'object' },
      },
    },
    charter: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }], description: 'A charter, or the name of a charter file' },
    workingDirectory: { type: 'string', minLength: 1 },
    urgency: { type: 'string', description: 'critical/urgent/asap/p0, high/important/p1, normal/medium/p2, low/whenever/p3' },
    memory: { type: 'object' },
    timeout: { type: 'integer', minimum: 1, description: 'Wall-clock limit in ms' },
    model: { type: 'string', minLength: 1 },
    maxTurns: { type: 'integer', minimum: 1 },
  },
} as const;

export const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', examples: ['ERR_INVALID_CONFIG', 'ERR_SESSION_NOT_FOUND', 'ERR_UNAUTHORIZED'] },
    message: { type: 'string' },
    field: { type: 'string', description: 'Dotted path of the invalid field (validation errors)' },
    value: { description: 'The invalid value as given (validation errors)' },
  },
} as const;

export interface RouteSchema {
  params?: object;
  querystring?: object;
  body?: object;
}

export interface RouteSpec {
  operationId: string;
  method: 'GET' | 'POST';
  /** Fastify path (`:id`); the OpenAPI document shows `{id}`. */
  url: string;
  summary: string;
  schema: RouteSchema;
  /** Status of success. */
  status: number;
  /** Media type of success; JSON when absent. */
  produces?: 'text/event-stream' | 'text/plain';
  /** Served without the bearer token. */
  public?: boolean;
  /** Error statuses the route answers besides 400/401/500. */
  errors?: number[];
}

export const ROUTES = [
  {
    operationId: 'submitRequest',
    method: 'POST',
    url: '/v1/requests',
    summary: 'Submit a triage request; answers once it is queued',
    schema: { body: triageRequestSchema },
    status: 202,
    errors: [404, 409, 429, 503],
  },
  {
    operationId: 'cancelRequest',
    method: 'POST',
    url: '/v1/requests/:id/cancel',
    summary: 'Cancel a queued request; with terminate, stop its running session too',
    schema: { params: idParams, body: { type: ['object', 'null'], properties: { terminate: { type: 'boolean', default: false } } } },
    status: 200,
    errors: [404],
  },
  {
    operationId: 'listSessions',
    method: 'GET',
    url: '/v1/sessions',
    summary: 'List sessions, newest first',
    schema: {
      querystring: {
        type: 'object',
        properties: { state: { type: 'string', minLength: 1 }, limit: { type: 'integer', minimum: 1, maximum: 10_000 } },
      },
    },
    status: 200,
  },
  {
    operationId: 'sessionsPage',
    method: 'GET',
    url: '/v1/sessions/page',
    summary: 'A page of session rows (the dashboard list), newest first: { total, rows }',
    schema: {
      querystring: {
        type: 'object',
        properties: { offset: { type: 'integer', minimum: 0, default: 0 }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } },
      },
    },
    status: 200,
  },
  { operationId: 'getSession', method: 'GET', url: '/v1/sessions/:id', summary: 'One session', schema: { params: idParams }, status: 200, errors: [404] },
  {
    operationId: 'sessionView',
    method: 'GET',
    url: '/v1/sessions/:id/view',
    summary: "A session as the dashboard shows it: row, charter, outcome, workspace, crashes, attempts",
    schema: { params: idParams },
    status: 200,
    errors: [404],
  },
  {
    operationId: 'events',
    method: 'GET',
    url: '/v1/events',
    summary: "Server-sent events of the whole daemon: 'session' rows, 'approvals', 'status'",
    schema: {},
    status: 200,
    produces: 'text/event-stream',
  },
  {
    operationId: 'fleetRequests',
    method: 'GET',
    url: '/v1/fleet/requests',
    summary: "The newest requests of the daemon's fleet (Redis), each with its node, lease token and attempts; [] outside a fleet",
    schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } } } },
    status: 200,
  },
  { operationId: 'fleet', method: 'GET', url: '/v1/fleet', summary: 'Sessions by state, tokens and cost over time, crash classes, recoveries', schema: {}, status: 200 },
  {
    operationId: 'followSession',
    method: 'GET',
    url: '/v1/sessions/:id/events',
    summary: "Server-sent events of a session: its output so far, then live, until 'ended'",
    schema: { params: idParams },
    status: 200,
    produces: 'text/event-stream',
    errors: [404],
  },
  {
    operationId: 'terminateSession',
    method: 'POST',
    url: '/v1/sessions/:id/terminate',
    summary: 'Terminate a running session',
    schema: { params: idParams },
    status: 200,
    errors: [404, 409],
  },
  { operationId: 'listApprovals', method: 'GET', url: '/v1/approvals', summary: 'Pending tool approvals', schema: {}, status: 200 },
  {
    operationId: 'approve',
    method: 'POST',
    url: '/v1/approvals/:id/approve',
    summary: 'Approve a pending tool call',
    schema: { params: idParams },
    status: 200,
    errors: [404],
  },
  {
    operationId: 'deny',
    method: 'POST',
    url: '/v1/approvals/:id/deny',
    summary: 'Deny a pending tool call',
    schema: { params: idParams, body: { type: ['object', 'null'], properties: { reason: { type: 'string', maxLength: 2000 } } } },
    status: 200,
    errors: [404],
  },
  {
    operationId: 'drain',
    method: 'POST',
    url: '/v1/drain',
    summary: 'Stop admitting work, wait for running sessions (up to timeoutMs), then stop the rest',
    schema: { body: { type: ['object', 'null'], properties: { timeoutMs: { type: 'integer', minimum: 0, default: DEFAULT_DRAIN_TIMEOUT_MS } } } },
    status: 200,
  },
  { operationId: 'status', method: 'GET', url: '/v1/status', summary: 'Pool status and daemon info', schema: {}, status: 200 },
  { operationId: 'metricsJson', method: 'GET', url: '/v1/metrics', summary: 'Pool, spawner and recovery metrics', schema: {}, status: 200 },
  { operationId: 'metrics', method: 'GET', url: '/metrics', summary: 'Prometheus metrics', schema: {}, status: 200, produces: 'text/plain' },
  { operationId: 'openapi', method: 'GET', url: '/openapi.json', summary: 'This document', schema: {}, status: 200, public: true },
] as const satisfies readonly RouteSpec[];

export type OperationId = (typeof ROUTES)[number]['operationId'];
