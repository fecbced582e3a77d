import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { notFound } from './http-errors.js';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../pool/options.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { ROUTES, type OperationId } from './schemas.js';
import { openEventStream, type EventStream } from './sse.js';
import type { ControlBackend, SessionEvent } from './types.js';

type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

interface Params {
  id: string;
}

const params = (request: FastifyRequest): Params => request.params as Params;
const body = <T>(request: FastifyRequest): Partial<T> => request.body ?? {};

/** Registers every route of the table; `streams` collects open event streams so the server can end them on close. */
export function registerRoutes(app: FastifyInstance, backend: ControlBackend, registry: Registry, streams: Set<EventStream>): void {
  const handlers: Record<OperationId, Handler> = {
    async submitRequest(request, reply) {
      const accepted = await backend.submit(request.body);
      return reply.code(202).send({ requestId: accepted.requestId, priority: accepted.priority });
    },
    async cancelRequest(request, reply) {
      const { id } = params(request);
      const terminate = body<{ terminate: boolean }>(request).terminate === true;
      if (!(await backend.cancel(id, terminate))) return reply.code(404).send(notFound('request', id));
      return { requestId: id, cancelled: true, terminate };
    },
    listSessions(request) {
      const { state, limit } = request.query as { state?: string; limit?: number };
      return backend.listSessions({ ...(state !== undefined && { state }), ...(limit !== undefined && { limit }) });
    },
    sessionsPage(request) {
      const { offset = 0, limit = 200 } = request.query as { offset?: number; limit?: number };
      return backend.sessionsPage({ offset, limit });
    },
    async sessionView(request, reply) {
      const { id } = params(request);
      return (await backend.sessionView(id)) ?? reply.code(404).send(notFound('session', id));
    },
    events(request, reply) {
      reply.hijack();
      let unsubscribe = (): void => undefined;
      const stream = openEventStream(reply.raw, {
        onClose: () => {
          streams.delete(stream);
          unsubscribe();
        },
      });
      streams.add(stream);
      unsubscribe = backend.subscribe((event) => stream.send(event.type, event.data));
      request.log.debug('feed opened');
      return reply;
    },
    fleet() {
      return backend.fleet() ?? {};
    },
    fleetRequests(request) {
      const { limit = 200 } = request.query as { limit?: number };
      return backend.fleetRequests(limit);
    },
    getSession(request, reply) {
      const { id } = params(request);
      return backend.getSession(id) ?? reply.code(404).send(notFound('session', id));
    },
    followSession(request, reply) {
      return follow(backend, request, reply, streams);
    },
    async terminateSession(request, reply) {
      const { id } = params(request);
      if (!(await backend.terminate(id))) return reply.code(404).send(notFound('session', id));
      return { sessionId: id, terminated: true };
    },
    listApprovals() {
      return backend.listApprovals();
    },
    async approve(request, reply) {
      const { id } = params(request);
      if (!(await backend.approve(id))) return reply.code(404).send(notFound('approval', id));
      return { approvalId: id, decision: 'approved' };
    },
    async deny(request, reply) {
      const { id } = params(request);
      const { reason } = body<{ reason: string }>(request);
      if (!(await backend.deny(id, reason))) return reply.code(404).send(notFound('approval', id));
      return { approvalId: id, decision: 'denied', ...(reason !== undefined && { reason }) };
    },
    async drain(request) {
      const { timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS } = body<{ timeoutMs: number }>(request);
      await backend.drain(timeoutMs);
      return { drained: true };
    },
    // A handler that returns undefined would leave the request hanging.
    status() {
      return backend.status() ?? {};
    },
    metricsJson() {
      return backend.metrics() ?? {};
    },
    async metrics(_request, reply) {
      return reply.type(registry.contentType).send(await registry.metrics());
    },
    openapi() {
      return OPENAPI_DOCUMENT;
    },
  };

  for (const route of ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      schema: route.schema,
      config: { public: 'public' in route && route.public },
      handler: handlers[route.operationId],
    });
  }
}

// Events that arrive while followSession is still returning (the tail) wait until the stream is open.
function follow(backend: ControlBackend, request: FastifyRequest, reply: FastifyReply, streams: Set<EventStream>): FastifyReply {
  const { id } = params(request);
  const pending: SessionEvent[] = [];
  const open: { stream?: EventStream } = {};
  let unsubscribed = false;
  const deliver = (event: SessionEvent): void => {
    const { stream } = open;
    if (stream === undefined) {
      pending.push(event);
      return;
    }
    stream.send(event.type, event.data);
    if (event.type === 'ended') stream.close();
  };
  const unsubscribe = backend.followSession(id, deliver);
  if (unsubscribe === undefined) return reply.code(404).send(notFound('session', id));

  reply.hijack();
  const stream = openEventStream(reply.raw, {
    onClose: () => {
      streams.delete(stream);
      if (unsubscribed) return;
      unsubscribed = true;
      try {
        unsubscribe();
      } catch (error) {
        // Called from a socket event: a throw here would take the daemon down.
        request.log.error({ err: error, sessionId: id }, 'unsubscribing from a session failed');
      }
    },
  });
  streams.add(stream);
  open.stream = stream;
  for (const event of pending.splice(0)) deliver(event);
  return reply;
}
