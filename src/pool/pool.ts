import { EventEmitter } from 'node:events';
import { PoolDrainingError, RequestCancelledError, SessionFailedError } from '../session/errors.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus, SpawnResult } from '../session/types.js';
import { continuedConfig } from '../session/continuation.js';
import { createDeferred, withTimeout } from '../utils/deferred.js';
import { callSafely, warn } from '../utils/warn.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, normalizePoolOptions, type FilledPoolOptions } from './options.js';
import { AdmissionPause, refusal } from './admission.js';
import { markPooled, type PoolRecovery } from './recovery-link.js';
import { PendingRetries } from './pending-retries.js';
import { RecoveryPort, type Retry } from './recovery-port.js';
import { PriorityScheduler } from './scheduler.js';
import { PoolStats } from './stats.js';
import { poolStatusView } from './status-view.js';
import { CALLBACK_THREW, completeTicket, configOf, failTicket, newTicket, type Ticket } from './ticket.js';
import type { PoolEvents, PoolMetrics, PoolOptions, PoolSpawner, PoolStatus, SessionRequest } from './types.js';
import { WarmPool } from './warm-pool.js';

/**
 * Admission control for sessions: at most `maxConcurrentSessions` run, the rest wait in a priority queue with
 * aging (nothing starves), a crashed request is retried through the same queue (`autoRecovery`), and every
 * request ends exactly once, after its last attempt.
 *
 * @example
 * const pool = new SessionPool(spawner, { maxConcurrentSessions: 5, maxQueueSize: 20, autoRecovery: true });
 * const recovery = new SessionRecoveryManager(spawner, { maxRetries: 3 }); // found by the pool through the spawner
 * const { completion } = await pool.requestSession({ requestId: 'req-1', config, priority: 'high', queuedAt: new Date() });
 */
export class SessionPool extends EventEmitter<PoolEvents> {
  readonly #spawner: PoolSpawner;
  readonly #options: FilledPoolOptions;
  readonly #queue: PriorityScheduler<Ticket>;
  readonly #running = new Map<string, Ticket>();
  // Requests whose spawn is in flight (popped from the queue, not yet running).
  readonly #starting = new Map<string, Ticket>();
  readonly #retrying: PendingRetries;
  readonly #stats = new PoolStats();
  readonly #warm: WarmPool;
  // Slots taken, including spawns still in flight: the only counter admission looks at.
  #slotsTaken = 0;
  #draining: Promise<void> | undefined;
  readonly #pause = new AdmissionPause(() => this.#pump());
  #idleWaiters: (() => void)[] = [];
  readonly #port: RecoveryPort;
  // Set when a drain's grace time is over: sessions whose spawn was still in flight are stopped on arrival.
  #stopOnStart = false;
  readonly #copies = new WeakMap<ClaudeSessionConfig, ClaudeSessionConfig>();
  readonly #known = (id: string): boolean => this.#queue.has(id) || this.#starting.has(id) || this.#running.has(id) || this.#retrying.has(id);

  constructor(spawner: PoolSpawner, options: PoolOptions = {}) {
    super();
    this.#spawner = spawner;
    this.#options = normalizePoolOptions(options);
    this.#port = new RecoveryPort(spawner, warn);
    this.#retrying = new PendingRetries(this.#port, () => this.#wakeIfIdle());
    this.#queue = new PriorityScheduler({ weights: this.#options.priorityWeights, agingIntervalMs: this.#options.agingIntervalMs });
    // A process that cannot be pre-started is not fatal (requests start fresh ones), but it is not hidden either.
    this.#warm = new WarmPool(spawner, this.#options.minIdleSessions, this.#options.warmTemplate, (error) => warn('SessionPool could not pre-start a CLI process', error));
    if (this.#options.warmTemplate) queueMicrotask(() => this.#warm.fill());
  }

  /**
   * Queues a request; resolves with its first session once allocated. Rejects (typed) when the queue is full,
   * the pool is draining, the request is cancelled first, or the spawn fails. The returned promise never
   * becomes an unhandled rejection: use it or the callbacks.
   */
  requestSession(request: SessionRequest): Promise<SpawnResult> {
    const deferred = createDeferred<SpawnResult>();
    const ticket = newTicket(request, deferred, Date.now());
    const refusal = this.#refusal(request);
    if (refusal) {
      this.#stats.rejected += 1;
      failTicket(ticket, refusal);
      return deferred.promise;
    }
    this.#queue.push(request.requestId, ticket.priority, ticket, ticket.enqueuedAtMs);
    if (request.signal) {
      const signal = request.signal;
      const onAbort = (): void => void this.cancelRequest(request.requestId, { terminate: true });
      signal.addEventListener('abort', onAbort, { once: true });
      ticket.detach = () => signal.removeEventListener('abort', onAbort);
    }
    // position() walks the queue: computed only for listeners, so queueing stays O(log n).
    if (this.listenerCount('request-queued') > 0) {
      this.#emit('request-queued', { requestId: request.requestId, position: this.#queue.position(request.requestId), queueLength: this.#queue.size });
    }
    this.#warm.noteRequest(request.config);
    this.#pump();
    return deferred.promise;
  }

  /**
   * Cancels a request that waits (in the queue, or for a retry): it ends `onFailed` with `ERR_REQUEST_CANCELLED`
   * and nothing more is spawned for it. A running session is stopped only with `{ terminate: true }`.
   * Returns whether anything was cancelled.
   */
  cancelRequest(requestId: string, options: { terminate?: boolean } = {}): boolean {
    const waiting = this.#queue.remove(requestId)?.item ?? this.#retrying.take(requestId);
    if (waiting) {
      this.#stats.cancelled += 1;
      this.#emit('request-cancelled', { requestId });
      this.#port.end(waiting, { result: 'abandoned', reason: 'the request was cancelled' });
      failTicket(waiting, new RequestCancelledError(requestId, { cause: waiting.lastStatus && new SessionFailedError(waiting.lastStatus) }));
      return true;
    }
    if (!options.terminate) return false;
    const starting = this.#starting.get(requestId);
    const running = this.#running.get(requestId);
    const ticket = starting ?? running;
    if (!ticket) return false;
    ticket.cancelled = true;
    if (starting) starting.stopWhenStarted = true;
    else if (running?.sessionId) void this.#spawner.terminateSession(running.sessionId, true).catch(() => undefined);
    return true;
  }

  /** Stops admitting until `untilMs` (epoch ms), e.g. while an account's rate limit resets. */
  pauseAdmissions(untilMs: number): void {
    this.#pause.until(untilMs);
  }

  /**
   * Sets the recovery that decides the retries of `autoRecovery`. Without this call the pool uses the
   * `SessionRecoveryManager` built on the same spawner, whichever of the two was created first.
   */
  attachRecovery(recovery: PoolRecovery): void {
    this.#port.attached = recovery;
  }

  /** Capacity, counts, the running sessions and the queue with honest wait estimates. */
  getPoolStatus(): PoolStatus {
    return poolStatusView({
      nowMs: Date.now(),
      capacity: this.#options.maxConcurrentSessions,
      idleCount: this.#warm.idleCount,
      queued: this.#queue.ordered(),
      running: [...this.#running.values()],
      retryingCount: this.#retrying.size,
      slotsTaken: this.#slotsTaken,
      draining: this.#draining !== undefined,
      pausedUntilMs: this.#pause.untilMs,
      avgSessionMs: this.#stats.recentMeanMs ?? this.#options.assumedSessionMs,
    });
  }

  /** The spec's metrics. */
  getMetrics(): PoolMetrics {
    return this.#stats.metrics({ active: this.#running.size, capacity: this.#options.maxConcurrentSessions, queueLength: this.#queue.size });
  }

  /**
   * Stops admitting, refuses every queued request and every pending retry, lets running sessions finish for
   * `timeoutMs`, then stops the rest gracefully. Resolves within `timeoutMs` plus the spawner's kill grace.
   * Emits `pool-drained` once; calling it again returns the same promise.
   */
  drain(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS): Promise<void> {
    if (this.#draining) return this.#draining;
    // Set before any listener or callback runs, so a re-entrant call sees the pool as draining.
    const done = createDeferred<void>();
    this.#draining = done.promise;
    this.#drain(timeoutMs).then(done.resolve, done.reject);
    return done.promise;
  }

  async #drain(timeoutMs: number): Promise<void> {
    this.#emit('pool-draining');
    const waiting = [...this.#queue.clear().map((e) => e.item), ...this.#retrying.takeAll()];
    for (const ticket of waiting) this.#refuseForDrain(ticket);
    await this.#warm.close();
    const idle = this.#whenIdle();
    await withTimeout(idle, timeoutMs);
    this.#stopOnStart = true;
    if (this.#slotsTaken > 0) {
      await Promise.all([...this.#running.values()].map((r) => this.#spawner.terminateSession(r.sessionId!, true).catch(() => undefined)));
      await idle;
    }
    this.#pause.close();
    this.#emit('pool-drained');
  }

  #refusal(request: SessionRequest): Error | undefined {
    const { maxQueueSize, maxConcurrentSessions } = this.#options;
    const mustWait = this.#queue.size > 0 || this.#slotsTaken >= maxConcurrentSessions || this.#pause.active;
    return refusal(request, { draining: this.#draining !== undefined, known: this.#known, queueSize: this.#queue.size, maxQueueSize, mustWait });
  }

  // Admits queued requests while slots are free. Slots are taken synchronously, so concurrent
  // callers can never push the number of sessions past the limit.
  #pump(): void {
    if (this.#draining || this.#pause.active) return;
    while (this.#slotsTaken < this.#options.maxConcurrentSessions) {
      const entry = this.#queue.pop();
      if (!entry) return;
      this.#slotsTaken += 1;
      this.#start(entry.item);
    }
  }

  // Not async: the fast path (a spawner that resolves at once) costs one promise reaction per request.
  #start(ticket: Ticket): void {
    const retry = ticket.attemptConfig;
    const config = retry ?? configOf(ticket, this.#options.defaultSessionTimeout, this.#copies);
    this.#starting.set(ticket.request.requestId, ticket);
    const warm = retry ? undefined : this.#warm.activate(config);
    if (warm) {
      this.#stats.warmStarts += 1;
      return this.#started(ticket, warm);
    }
    let spawning: Promise<SpawnResult>;
    try {
      spawning = this.#spawner.spawnSession(config);
    } catch (error) {
      // A spawner that throws instead of rejecting fails the same way, after the current pump.
      return queueMicrotask(() => this.#spawnFailed(ticket, error));
    }
    spawning.then(
      (result) => this.#started(ticket, result),
      (error: unknown) => this.#spawnFailed(ticket, error),
    );
  }

  #spawnFailed(ticket: Ticket, error: unknown): void {
    this.#starting.delete(ticket.request.requestId);
    this.#freeSlot();
    this.#stats.spawnFailures += 1;
    const failure = error instanceof Error ? error : new Error(String(error));
    this.#port.end(ticket, { result: 'failed', reason: `the attempt could not start: ${failure.message}` });
    failTicket(ticket, failure);
  }

  #started(ticket: Ticket, result: SpawnResult): void {
    const { request } = ticket;
    this.#starting.delete(request.requestId);
    const now = Date.now();
    // queueWaitTime is the wait of requests: a retry's allocation is counted as a session, not as a wait.
    this.#stats.allocated(ticket.allocated ? undefined : now - ticket.waitStartMs);
    ticket.sessionId = result.sessionId;
    ticket.startedAtMs = now;
    this.#running.set(request.requestId, ticket);
    this.#port.started(ticket, result.sessionId);
    if (!ticket.allocated) ticket.deferred.resolve(result);
    ticket.allocated = true;
    void result.completion.then((status) => this.#release(ticket, status));
    if (request.onAllocated) this.#call(() => request.onAllocated?.(result.sessionId));
    this.#emit('session-allocated', { requestId: request.requestId, sessionId: result.sessionId });
    if (this.#stopOnStart || ticket.stopWhenStarted) void this.#spawner.terminateSession(result.sessionId, true).catch(() => undefined);
    this.#warm.fill();
  }

  #release(ticket: Ticket, status: ClaudeSessionStatus): void {
    const { requestId } = ticket.request;
    this.#stats.finished(status);
    this.#running.delete(requestId);
    ticket.lastStatus = status;
    this.#emit('session-released', { sessionId: status.sessionId, status });
    if (status.state === 'completed') {
      if (ticket.chain) this.#port.end(ticket, { result: 'succeeded', status });
      this.#freeSlot();
      return completeTicket(ticket, status);
    }
    const allowRetry = this.#options.autoRecovery && !this.#draining && !ticket.cancelled;
    const plan = this.#port.plan(ticket, status, allowRetry);
    if (plan?.retry && allowRetry) {
      this.#scheduleRetry(ticket, status, plan);
      return this.#freeSlot();
    }
    this.#port.end(ticket, ticket.cancelled ? { result: 'abandoned', reason: 'the request was cancelled' } : { result: 'failed', reason: plan?.retry === false ? plan.reason : status.state });
    this.#freeSlot();
    const failed = new SessionFailedError(status);
    failTicket(ticket, ticket.cancelled ? new RequestCancelledError(requestId, { cause: failed }) : failed);
  }

  // The slot is given back during the delay; the attempt then queues like any request (by its age and priority).
  #scheduleRetry(ticket: Ticket, ended: ClaudeSessionStatus, plan: Retry): void {
    const { requestId } = ticket.request;
    ticket.attemptConfig = continuedConfig(configOf(ticket, this.#options.defaultSessionTimeout, this.#copies), ended, plan.resumeClaudeSessionId);
    markPooled(ticket.attemptConfig);
    if (plan.pauseAdmissionsUntilMs !== undefined) this.pauseAdmissions(plan.pauseAdmissionsUntilMs);
    const resume = plan.resumeClaudeSessionId !== undefined;
    this.#emit('request-retrying', { requestId, sessionId: ended.sessionId, attemptNumber: plan.attemptNumber, delayMs: plan.delayMs, resume });
    if (plan.delayMs === 0) return this.#requeue(ticket, plan);
    // Cancel and drain take the ticket out of the wait and end it themselves.
    this.#retrying.wait(ticket, plan, (go) => {
      if (go) return this.#requeue(ticket, plan);
      this.#port.end(ticket, { result: 'abandoned', reason: 'recovery was abandoned' });
      failTicket(ticket, new SessionFailedError(ticket.lastStatus!));
    });
  }

  #requeue(ticket: Ticket, plan: Retry): void {
    if (this.#draining) return this.#refuseForDrain(ticket);
    this.#port.queued(ticket, plan);
    ticket.waitStartMs = Date.now();
    this.#queue.push(ticket.request.requestId, ticket.priority, ticket, ticket.enqueuedAtMs);
    this.#pump();
  }

  #refuseForDrain(ticket: Ticket): void {
    this.#port.end(ticket, { result: 'abandoned', reason: 'the pool is draining' });
    const cause = ticket.lastStatus && new SessionFailedError(ticket.lastStatus);
    failTicket(ticket, new PoolDrainingError(ticket.request.requestId, { cause }));
  }

  // Listeners run after the pool's own bookkeeping; one that throws cannot leak a slot or a request.
  #emit<K extends keyof PoolEvents>(event: K, ...args: PoolEvents[K]): void {
    if (this.listenerCount(event) === 0) return;
    this.#call(() => this.emit(event, ...(args as unknown as never)));
  }

  // A throwing user callback must not break the pool's bookkeeping.
  readonly #call = (callback: () => void): void => callSafely(callback, CALLBACK_THREW);

  #freeSlot(): void {
    this.#slotsTaken -= 1;
    this.#wakeIfIdle();
    this.#pump();
  }

  // Idle: no slot taken and no retry pending.
  #wakeIfIdle(): void {
    if (this.#slotsTaken === 0 && this.#retrying.size === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  #whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#wakeIfIdle();
    });
  }
}
