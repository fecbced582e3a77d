import type { ClaudeSessionConfig, ClaudeSessionStatus, SessionPriority, SpawnResult } from '../session/types.js';
import type { Deferred } from '../utils/deferred.js';
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
  /** Set while a retry is pending or running: the next attempt's config (resume id included). */
  attemptConfig?: ClaudeSessionConfig;
  /** The recovery chain, once the request's first session crashed. */
  chain?: RetryChain;
  /** How the request's last session ended. */
  lastStatus?: ClaudeSessionStatus;
}

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

/** Ends the request once: runs its callback (through `call`, which shields the pool) unless it has ended already. */
export function endTicket(ticket: Ticket, callback: () => void, call: (callback: () => void) => void): void {
  if (ticket.ended) return;
  ticket.ended = true;
  ticket.detach?.();
  call(callback);
}

/** Ends the request with `error`: its promise rejects unless a session was already allocated. */
export function failTicket(ticket: Ticket, error: Error, call: (callback: () => void) => void): void {
  if (!ticket.allocated) ticket.deferred.reject(error);
  endTicket(ticket, () => ticket.request.onFailed?.(error), call);
}
