// The dashboard: its page and assets, and logins that trade the API token for an HttpOnly session cookie, so the
// token leaves the address bar and is never readable by the page's scripts.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tokenMatches } from './auth.js';
import { LOGIN_TTL_MS, loginKey, sameOrigin, SESSION_COOKIE, type DashboardLogins } from './logins.js';

/** Where `npm run build` puts the dashboard (`dist/dashboard`), from `src/api` and from `dist/api` alike. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard', import.meta.url));

const cookieOptions = { httpOnly: true, sameSite: 'strict', path: '/' } as const;

function logIn(reply: FastifyReply, logins: DashboardLogins): FastifyReply {
  const { id, key } = logins.create();
  reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions, maxAge: LOGIN_TTL_MS / 1000 });
  // The fragment never reaches a server or a log; the page moves it into the tab's sessionStorage at once.
  return reply.code(303).header('location', `/#k=${key}`).header('cache-control', 'no-store').send();
}

const failed = (reply: FastifyReply): FastifyReply => reply.code(303).header('location', '/?login=failed').header('cache-control', 'no-store').send();

/**
 * Serves the page at `/` (and `/?token=<token>`, which logs in and redirects to `/`), `POST /login` (a form with
 * the token), `POST /logout`, and the built assets under `/assets/` (cached for good: their names carry a hash).
 */
export function registerDashboard(app: FastifyInstance, options: { token: string; logins: DashboardLogins; dir?: string }): void {
  const dir = options.dir ?? DASHBOARD_DIR;
  const { logins, token } = options;
  void app.register(fastifyCookie);
  if (existsSync(join(dir, 'assets'))) {
    void app.register(fastifyStatic, { root: join(dir, 'assets'), prefix: '/assets/', immutable: true, maxAge: '365d', index: false, wildcard: true });
  }
  const page = async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const html = await readFile(join(dir, 'index.html'), 'utf8').catch(() => undefined);
    reply
      .header('cache-control', 'no-cache')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    if (html === undefined) return reply.code(503).type('text/plain').send(`The dashboard is not built (${dir}): run npm run build.\n`);
    return reply.type('text/html; charset=utf-8').send(html);
  };
  const config = { public: true };
  app.get('/', { config }, async (request, reply) => {
    const given = (request.query as { token?: unknown }).token;
    if (typeof given !== 'string') return page(request, reply);
    return tokenMatches(given, token) ? logIn(reply, logins) : failed(reply);
  });
  // Form bodies are parsed for the login form only: the API takes JSON, which no other site can post without CORS.
  void app.register((scope, _options, done) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, parsed) => {
      parsed(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    scope.post('/login', { config }, async (request, reply) => {
      // A login form posted from another site would log the browser in to an attacker's daemon.
      if (!sameOrigin(request)) return reply.code(403).send({ code: 'ERR_CROSS_SITE', message: 'A login must come from this page' });
      const given = (request.body as { token?: unknown } | undefined)?.token;
      return typeof given === 'string' && tokenMatches(given.trim(), token) ? logIn(reply, logins) : failed(reply);
    });
    done();
  });
  app.post('/logout', async (request, reply) => {
    logins.revoke(request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return reply.code(204).send();
  });
  // The page asks this first, so that a browser without a login never sees a 401 (which it would log as an error).
  app.get('/login', { config }, (request) => {
    const key = loginKey(request);
    return { loggedIn: key !== undefined && logins.valid(request.cookies[SESSION_COOKIE], key) };
  });
  app.get('/favicon.ico', { config }, async (_request, reply) => reply.code(204).header('cache-control', 'max-age=86400').send());
}
