// The fleet's Redis connection: a checked URL, a connection that either answers within its deadline or is a typed
// error, and the URL as it may be shown (without its password).
import { Redis } from 'ioredis';
import { ErrorCodes, FleetError } from '../session/errors.js';

/** How long joining waits for Redis to answer. */
export const CONNECT_TIMEOUT_MS = 5_000;

/** `url` with its password (and user) replaced, for messages and logs. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '' || parsed.username !== '') {
      parsed.username = parsed.username === '' ? '' : '***';
      parsed.password = parsed.password === '' ? '' : '***';
    }
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/** Checks a fleet URL: `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS). Pure. */
export function checkFleetUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new FleetError(ErrorCodes.FLEET_URL, 'fleet.url', shownUrl(url), `Not a URL: ${shownUrl(url)}; use redis://host:6379[/db] or rediss://`, { cause: error });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new FleetError(ErrorCodes.FLEET_URL, 'fleet.url', shownUrl(url), `A fleet URL is redis:// or rediss://, not ${parsed.protocol}//`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new FleetError(ErrorCodes.FLEET_URL, 'fleet.url', shownUrl(url), `The database of ${shownUrl(url)} must be a number`);
  return parsed;
}

/**
 * Opens a connection for BullMQ (no retry limit per command, as its workers need) and waits until Redis answers
 * PING; `ERR_FLEET_UNREACHABLE` after `timeoutMs`, with the connection closed.
 */
export async function openFleetConnection(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Redis> {
  checkFleetUrl(url);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, enableOfflineQueue: true, connectTimeout: timeoutMs });
  // Errors while connecting are the rejection below (the socket's own error says more than ioredis's); later ones
  // are reconnected by ioredis.
  let socketError: Error | undefined;
  redis.on('error', (error: Error) => (socketError ??= error));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return redis;
  } catch (error) {
    redis.disconnect();
    const why = (socketError ?? (error instanceof Error ? error : undefined))?.message ?? String(error);
    throw new FleetError(ErrorCodes.FLEET_UNREACHABLE, 'fleet.url', shownUrl(url), `Redis at ${shownUrl(url)} does not answer: ${why}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
