// Dashboard logins: the session cookie a browser gets for the API token, and the same-origin check.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** The session cookie's name. */
export const SESSION_COOKIE = 'vp_session';
/** How long a dashboard login lasts. */
export const LOGIN_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_LOGINS = 1000;

/** The dashboard's logins: random ids held in memory (a daemon restart logs everyone out). */
export class DashboardLogins {
  readonly #logins = new Map<string, { until: number; key: string }>();

  /**
   * A new login: `id` goes into the HttpOnly cookie, `key` to the page (in the redirect's fragment, kept in the
   * tab's sessionStorage) and back in the `x-vp-key` header. Cookies are shared by every port of a host; the key is
   * not, so a server a session runs on another loopback port gets the cookie but cannot use it.
   */
  create(nowMs = Date.now()): { id: string; key: string } {
    for (const [id, login] of this.#logins) if (login.until <= nowMs || this.#logins.size >= MAX_LOGINS) this.#logins.delete(id);
    const id = randomBytes(32).toString('base64url');
    const key = randomBytes(24).toString('base64url');
    this.#logins.set(id, { until: nowMs + LOGIN_TTL_MS, key });
    return { id, key };
  }

  /** True for a live login whose key is `key` (compared in constant time); without `key`, whether the login is live. */
  valid(id: string | undefined, key?: string, nowMs = Date.now()): boolean {
    const login = id === undefined ? undefined : this.#logins.get(id);
    if (login === undefined || login.until <= nowMs) return false;
    if (key === undefined) return true;
    const a = Buffer.from(key);
    const b = Buffer.from(login.key);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  revoke(id: string | undefined): void {
    if (id !== undefined) this.#logins.delete(id);
  }
}

/** The login key a page request carries: the `x-vp-key` header, or `k` in the query (an EventSource sets no header). */
export function loginKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-vp-key'];
  if (typeof header === 'string') return header;
  const query = (request.query as { k?: unknown } | undefined)?.k;
  return typeof query === 'string' ? query : undefined;
}

/** The origin the request was addressed to, from its Host header. */
export const ownOrigin = (request: FastifyRequest): string => `${request.protocol}://${request.headers.host ?? ''}`;

/** True when a browser sent the request from this server's own page (the Origin header names this server). */
export const sameOrigin = (request: FastifyRequest): boolean => request.headers.origin === ownOrigin(request);

