import type { ClaudeSessionConfig, ClaudeSessionStatus, SessionPriority, SpawnResult } from '../session/types.js';
import type { Deferred } from '../utils/deferred.js';
import { warn } from '../utils/warn.js';
import { isPooled, markPooled, type RetryChain } from './recovery-link.js';
import type { SessionRequest } from './types.js';

/** A request from `requestSession` to its one `onCompleted` or `onFailed`, across all of its attempts. */
export interface Ticket {
  request: SessionRequest;
  priority: SessionPriority;
  /** Settled by the first allocation (or the first refusal); later attempts leave it alone. */
  deferred: Deferred<SpawnResult>;
  /** Queue-order key: a retry keeps the age of its request, so it is not sent to the back. */
  enqueuedAtMs: number;
  /** When the current wait in the queue began (for `queueWaitTime`). */
  waitStartMs: number;
  /** Exactly one of onCompleted / onFailed per request. */
  ended: boolean;
  /** Allocated at least once: the deferred is resolved and retries are not counted as queue waits. */
  allocated: boolean;
  /** Cancelled (`cancelRequest`, the request's signal): nothing more is spawned for it. */
  cancelled: boolean;
  /** Stop the session as soon as its spawn returns (cancelled while the spawn was in flight). */
  stopWhenStarted?: boolean;
  /** Removes the abort listener once the request has ended. */
  detach?: () => void;
  /** The config sessions of this request start with: the request's, with the pool's default timeout. */
  config?: ClaudeSessionConfig;
  /** The running session, while one runs. */
  sessionId?: string;
  startedAtMs?: number;
  /** Set while a retry is pending or running: the next attempt's config (resume id included). */
  attemptConfig?: ClaudeSessionConfig;
  /** The recovery chain, once the request's first session crashed. */
  chain?: RetryChain;
  /** How the request's last session ended. */
  lastStatus?: ClaudeSessionStatus;
}

/** What a warning about a user's callback says. */
export const CALLBACK_THREW = 'A SessionPool request callback threw';

export function newTicket(request: SessionRequest, deferred: Deferred<SpawnResult>, nowMs: number): Ticket {
  return {
    request,
    priority: request.priority as SessionPriority,
    deferred,
    enqueuedAtMs: nowMs,
    waitStartMs: nowMs,
    ended: false,
    allocated: false,
    cancelled: false,
  };
}

/**
 * The request's config with the pool's default timeout, as the pool's own copy (one per config object, cached in
 * `copies`): its sessions are recognisably the pool's, so a recovery watching the spawner leaves them to the pool.
 */
export function configOf(ticket: Ticket, defaultTimeoutMs: number, copies: WeakMap<ClaudeSessionConfig, ClaudeSessionConfig>): ClaudeSessionConfig {
  if (ticket.config) return ticket.config;
  const { config } = ticket.request;
  let copy = isPooled(config) ? config : copies.get(config);
  if (!copy) {
    copy = { ...config, timeout: config.timeout ?? defaultTimeoutMs };
    markPooled(copy);
    copies.set(config, copy);
  }
  ticket.config = copy;
  return copy;
}

const noop = (): void => undefined;

// Marks the request ended; false when it had ended already.
function close(ticket: Ticket): boolean {
  if (ticket.ended) return false;
  ticket.ended = true;
  ticket.detach?.();
  return true;
}

/** Ends the request with its last session completed: `onCompleted`, once. A callback that throws is reported, never rethrown. */
export function completeTicket(ticket: Ticket, status: ClaudeSessionStatus): void {
  if (!close(ticket)) return;
  try {
    ticket.request.onCompleted?.(status);
  } catch (error) {
    warn(CALLBACK_THREW, error);
  }
}

/** Ends the request with `error`: its promise rejects unless a session was allocated, and `onFailed` runs once. */
export function failTicket(ticket: Ticket, error: Error): void {
  if (!ticket.allocated) {
    // Handled here, so a caller that uses only the callbacks never sees an unhandled rejection.
    ticket.deferred.promise.catch(noop);
    ticket.deferred.reject(error);
  }
  if (!close(ticket)) return;
  try {
    ticket.request.onFailed?.(error);
  } catch (thrown) {
    warn(CALLBACK_THREW, thrown);
  }
}
