// Dashboard logins: the session cookie a browser gets for the API token, and the same-origin check.
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** The session cookie's name. */
export const SESSION_COOKIE = 'vp_session';
/** How long a dashboard login lasts. */
export const LOGIN_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_LOGINS = 1000;

/** The dashboard's logins: random ids held in memory (a daemon restart logs everyone out). */
export class DashboardLogins {
  readonly #expiry = new Map<string, number>();

  create(nowMs = Date.now()): string {
    for (const [id, until] of this.#expiry) if (until <= nowMs || this.#expiry.size >= MAX_LOGINS) this.#expiry.delete(id);
    const id = randomBytes(32).toString('base64url');
    this.#expiry.set(id, nowMs + LOGIN_TTL_MS);
    return id;
  }

  valid(id: string | undefined, nowMs = Date.now()): boolean {
    const until = id === undefined ? undefined : this.#expiry.get(id);
    return until !== undefined && until > nowMs;
  }

  revoke(id: string | undefined): void {
    if (id !== undefined) this.#expiry.delete(id);
  }
}

/** The origin the request was addressed to, from its Host header. */
export const ownOrigin = (request: FastifyRequest): string => `${request.protocol}://${request.headers.host ?? ''}`;

/** True when a browser sent the request from this server's own page (the Origin header names this server). */
export const sameOrigin = (request: FastifyRequest): boolean => request.headers.origin === ownOrigin(request);

