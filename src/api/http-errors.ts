import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isVpDaemonError, type VpDaemonError } from '../session/errors.js';

/** The JSON body of every error answer. */
export interface ErrorBody {
  code: string;
  message: string;
  field?: string;
  value?: unknown;
}

// A request's workspace setting that cannot work with its repository: the request's fault.
const BAD_WORKSPACE = new Set(['ERR_WORKSPACE_NOT_A_REPOSITORY', 'ERR_WORKSPACE_BASE_REF', 'ERR_WORKSPACE_BRANCH_INVALID', 'ERR_WORKSPACE_BRANCH_EXISTS', 'ERR_WORKSPACE_MERGE_IN_PROGRESS']);

/** HTTP status of a `VpDaemonError` code. */
export function statusOfCode(code: string): number {
  if (code === 'ERR_INVALID_CONFIG' || code === 'ERR_INVALID_OPTION' || code === 'ERR_TASK_FILE' || BAD_WORKSPACE.has(code)) return 400;
  if (code === 'ERR_WORKSPACE_NO_SPACE') return 507;
  if (code.endsWith('_NOT_FOUND')) return 404;
  if (code === 'ERR_DUPLICATE_REQUEST' || code === 'ERR_SESSION_NOT_RUNNING' || code === 'ERR_WORKSPACE_IN_USE') return 409;
  if (code === 'ERR_QUEUE_FULL') return 429;
  if (code === 'ERR_POOL_DRAINING') return 503;
  return 500;
}

/** A 404 body for a missing session / approval / request. */
export const notFound = (what: 'session' | 'approval' | 'request', id: string): ErrorBody => ({
  code: what === 'session' ? 'ERR_SESSION_NOT_FOUND' : what === 'approval' ? 'ERR_APPROVAL_NOT_FOUND' : 'ERR_REQUEST_NOT_FOUND',
  message: `No ${what} ${id}`,
});

function daemonErrorBody(error: VpDaemonError): ErrorBody {
  const body: ErrorBody = { code: error.code, message: error.message };
  const { field, value } = error as VpDaemonError & { field?: unknown; value?: unknown };
  if (typeof field === 'string') {
    body.field = field;
    body.value = value ?? null;
  }
  return body;
}

interface AjvIssue {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

// Fastify's schema validation: the first issue, as a dotted field path and the value given there.
function validationBody(error: FastifyError, request: FastifyRequest): ErrorBody {
  const issue = (error.validation as AjvIssue[] | undefined)?.[0];
  const segments = (issue?.instancePath ?? '').split('/').filter(Boolean);
  const missing = issue?.params['missingProperty'];
  if (typeof missing === 'string') segments.push(missing);
  const part = error.validationContext ?? 'body';
  const source: unknown = part === 'params' ? request.params : part === 'querystring' ? request.query : part === 'headers' ? {} : request.body;
  let value = source;
  for (const segment of segments) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
  const field = segments.join('.') || '(root)';
  return {
    code: part === 'body' ? 'ERR_INVALID_CONFIG' : 'ERR_INVALID_OPTION',
    message: `Invalid ${part === 'body' ? '' : `${part} `}${field}: ${typeof missing === 'string' ? 'is required' : (issue?.message ?? 'invalid')}`,
    field,
    value: value ?? null,
  };
}

/** The one error handler: daemon errors by code, validation errors as 400, fastify's client errors as they are, the rest 500. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isVpDaemonError(error)) {
    const status = statusOfCode(error.code);
    if (status >= 500) request.log.error({ err: error }, 'control API request failed');
    return reply.code(status).send(daemonErrorBody(error));
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) return reply.code(400).send(validationBody(error as FastifyError, request));
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    return reply.code(status).send({ code: fastifyError.code ?? 'ERR_BAD_REQUEST', message: fastifyError.message ?? 'Bad request' });
  }
  request.log.error({ err: error }, 'control API request failed');
  return reply.code(500).send({ code: 'ERR_INTERNAL', message: 'Internal error; see the daemon log' });
}
