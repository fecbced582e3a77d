import { fastify, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger } from '../utils/logger.js';
import { requestAuth } from './auth.js';
import { registerDashboard } from './dashboard.js';
import { DashboardLogins } from './logins.js';
import { errorHandler } from './http-errors.js';
import { registerRoutes } from './routes.js';
import type { EventStream } from './sse.js';
import type { ControlBackend, ControlServer, ControlServerOptions } from './types.js';

// The module's whole public surface, so callers import from one place.
export { readOrCreateToken } from './token.js';
export { OPENAPI_DOCUMENT } from './openapi.js';
export { createDaemonMetrics, type DaemonMetrics } from './metrics.js';
export { createFleetMetrics, type FleetSnapshot } from './fleet-metrics.js';
export type { ControlBackend, ControlServer, ControlServerOptions, FeedEvent, SessionEvent } from './types.js';

/** Header paths censored in every log line, wherever a serializer puts the request. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'request.headers.authorization',
  'headers.authorization',
  'req.headers.cookie',
  'headers.cookie',
  'req.headers["x-vp-key"]',
  'headers["x-vp-key"]',
];

// A login URL carries the token in its query: no logged URL keeps a query's values.
const redactQuery = (url: string): string => url.replace(/\?.*$/, (query) => query.replace(/=[^&]*/g, '=[redacted]'));

function apiLogger(logger: Logger | false | undefined): Logger | undefined {
  if (logger === false) return undefined;
  const serializers = {
    req: (req: { method?: string; url?: string; hostname?: string; ip?: string; headers?: unknown }) => ({
      method: req.method,
      url: redactQuery(req.url ?? ''),
      hostname: req.hostname,
      remoteAddress: req.ip,
      headers: req.headers,
    }),
  };
  return (logger ?? createLogger()).child({ component: 'control-api' }, { redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers });
}

/**
 * Builds the daemon's local control API over a backend. Every route but `GET /openapi.json` needs
 * `Authorization: Bearer <token>`. Nothing listens until `listen()`.
 */
export function createControlServer(backend: ControlBackend, options: ControlServerOptions): ControlServer {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const logger = apiLogger(options.logger);
  const app: FastifyInstance = fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: 1024 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    exposeHeadRoutes: false, // HEAD is not part of the API (and would open an event stream for nothing)
  }) as unknown as FastifyInstance;

  // An empty JSON body counts as none (`curl -X POST -H 'content-type: application/json'`); the rest as fastify parses it.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    const source = typeof text === 'string' ? text : text.toString('utf8');
    if (source.trim() === '') done(null, undefined);
    else void parseJson(request, source, done);
  });

  const streams = new Set<EventStream>();
  const logins = new DashboardLogins();
  registerDashboard(app, { token: options.token, logins, ...(options.dashboardDir !== undefined && { dir: options.dashboardDir }) });
  app.addHook('onRequest', requestAuth(app, options.token, logins));
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 'ERR_ROUTE_NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}` }),
  );
  // Open event streams would hold close() forever; they end first.
  app.addHook('preClose', (done) => {
    for (const stream of [...streams]) stream.close();
    done();
  });
  registerRoutes(app, backend, options.metricsRegistry, streams);

  return {
    app,
    async listen() {
      await app.listen({ host, port });
      const address = app.server.address();
      if (address === null || typeof address === 'string') return { url: String(address) };
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return { url: `http://${shown}:${address.port}` };
    },
    close: () => app.close(),
  };
}
