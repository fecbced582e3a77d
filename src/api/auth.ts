import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The body of every 401: the same whether the token is missing or wrong. */
export const UNAUTHORIZED = { code: 'ERR_UNAUTHORIZED', message: 'A valid bearer token is required' } as const;

// Both sides are hashed first, so the comparison takes the same time whatever the lengths.
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** True when the header is `Bearer <token>` with exactly this token, compared in constant time. */
export function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  const given = digest(match?.[1] ?? '');
  return timingSafeEqual(given, expected) && match !== null;
}

/** An onRequest hook that answers 401 unless the request carries the token; routes with `config.public` pass. */
export function bearerAuth(token: string): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  if (token.length === 0) throw new TypeError('The control API token is empty');
  const expected = digest(token);
  return async (request, reply) => {
    if ((request.routeOptions.config as { public?: boolean }).public === true) return undefined;
    if (bearerMatches(request.headers.authorization, expected)) return undefined;
    request.log.info({ reason: request.headers.authorization === undefined ? 'missing' : 'mismatch' }, 'unauthorized request');
    return reply.code(401).header('www-authenticate', 'Bearer').send(UNAUTHORIZED);
  };
}
