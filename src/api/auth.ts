import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loginKey, sameOrigin, SESSION_COOKIE, type DashboardLogins } from './logins.js';

/** The body of every 401: the same whether the token is missing or wrong. */
export const UNAUTHORIZED = { code: 'ERR_UNAUTHORIZED', message: 'A valid bearer token is required' } as const;
/** The body of a 403 for a state change a page of another site asked for. */
export const CROSS_SITE = { code: 'ERR_CROSS_SITE', message: 'A request authenticated by the dashboard cookie must come from the dashboard' } as const;

// Both sides are hashed first, so the comparison takes the same time whatever the lengths.
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** True when `given` is exactly `token`, compared in constant time. */
export function tokenMatches(given: string, token: string): boolean {
  return token.length > 0 && timingSafeEqual(digest(given), digest(token));
}

/** True when the header is `Bearer <token>` with exactly this token, compared in constant time. */
export function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  const given = digest(match?.[1] ?? '');
  return timingSafeEqual(given, expected) && match !== null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// @fastify/static's routes carry no config: the route it matched is public (the assets hold no data).
const isPublicRoute = (request: FastifyRequest): boolean => request.routeOptions.url?.startsWith('/assets/') === true;

/**
 * An onRequest hook that answers 401 unless the request carries the token as a bearer header, or a valid dashboard
 * login cookie with its key (see `DashboardLogins`); a login changes nothing unless the request's Origin is this
 * server (403 otherwise).
 * Routes with `config.public` pass.
 */
export function requestAuth(app: FastifyInstance, token: string, logins: DashboardLogins): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  if (token.length === 0) throw new TypeError('The control API token is empty');
  const expected = digest(token);
  return async (request, reply) => {
    if ((request.routeOptions.config as { public?: boolean } | undefined)?.public === true || isPublicRoute(request)) return undefined;
    if (bearerMatches(request.headers.authorization, expected)) return undefined;
    const login = app.parseCookie(request.headers.cookie ?? '')[SESSION_COOKIE];
    const key = loginKey(request);
    if (request.headers.authorization === undefined && key !== undefined && logins.valid(login, key)) {
      if (SAFE_METHODS.has(request.method) || sameOrigin(request)) return undefined;
      request.log.warn({ origin: request.headers.origin }, 'refused a cross-site state change');
      return reply.code(403).send(CROSS_SITE);
    }
    request.log.info({ reason: request.headers.authorization === undefined ? 'missing' : 'mismatch' }, 'unauthorized request');
    return reply.code(401).header('www-authenticate', 'Bearer').send(UNAUTHORIZED);
  };
}
