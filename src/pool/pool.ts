import { EventEmitter } from 'node:events';
import { ConfigError, DuplicateRequestError, PoolDrainingError, QueueFullError, RequestCancelledError, SessionFailedError } from '../session/errors.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus, SessionPriority, SpawnResult } from '../session/types.js';
import { createDeferred, type Deferred } from '../utils/deferred.js';
import { PoolStats } from './stats.js';
import { normalizePoolOptions, type FilledPoolOptions } from './options.js';
import { PriorityScheduler } from './scheduler.js';
import { PRIORITIES } from '../session/priority.js';
import type { PoolEvents, PoolMetrics, PoolOptions, PoolSpawner, PoolStatus, SessionRequest } from './types.js';
import { estimateWaits } from './wait-estimate.js';
import { WarmPool } from './warm-pool.js';

interface Ticket {
  request: SessionRequest;
  priority: SessionPriority;
  deferred: Deferred<SpawnResult>;
  enqueuedAtMs: number;
  // Exactly one of onCompleted / onFailed per request.
  ended: boolean;
  // Stop the session as soon as its spawn returns (cancelled while the spawn was in flight).
  stopWhenStarted?: boolean;
  // Removes the abort listener once the request has ended.
  detach?: () => void;
}

interface Running {
  ticket: Ticket;
  sessionId: string;
  startedAtMs: number;
}

/** What recovery tells the pool about a request it retries. */
export interface RecoveryCallbacks {
  /** A recovery attempt started a new session for the request. */
  allocated(sessionId: string): void;
  /** A recovery attempt's session ended. */
  ended(status: ClaudeSessionStatus): void;
}

/** Hands a crashed session to recovery; resolves with the final status of the recovery chain. */
export type PoolRecoveryHook = (status: ClaudeSessionStatus, config: ClaudeSessionConfig, callbacks: RecoveryCallbacks) => Promise<ClaudeSessionStatus>;

/**
 * Admission control for sessions: at most `maxConcurrentSessions` run, the rest wait in a priority
 * queue with aging (nothing starves), and every request ends exactly once.
 *
 * @example
 * const pool = new SessionPool(spawner, { maxConcurrentSessions: 5, maxQueueSize: 20 });
 * const { completion } = await pool.requestSession({ requestId: 'req-1', config, priority: 'high', queuedAt: new Date() });
 */
export class SessionPool extends EventEmitter<PoolEvents> {
  readonly #spawner: PoolSpawner;
  readonly #options: FilledPoolOptions;
  readonly #queue: PriorityScheduler<Ticket>;
  readonly #running = new Map<string, Running>();
  // Requests whose spawn is in flight (popped from the queue, not yet running).
  readonly #starting = new Map<string, Ticket>();
  readonly #stats = new PoolStats();
  readonly #warm: WarmPool;
  // Slots taken, including spawns still in flight: the only counter admission looks at.
  #slotsTaken = 0;
  #draining: Promise<void> | undefined;
  #pausedUntilMs = 0;
  #pauseTimer: NodeJS.Timeout | undefined;
  #idleWaiters: (() => void)[] = [];
  #recovery: PoolRecoveryHook | undefined;
  // Set when a drain's grace time is over: sessions whose spawn was still in flight are stopped on arrival.
  #stopOnStart = false;
  readonly #filled = new WeakMap<ClaudeSessionConfig, ClaudeSessionConfig>();

  constructor(spawner: PoolSpawner, options: PoolOptions = {}) {
    super();
    this.#spawner = spawner;
    this.#options = normalizePoolOptions(options);
    this.#queue = new PriorityScheduler({ weights: this.#options.priorityWeights, agingIntervalMs: this.#options.agingIntervalMs });
    // A process that cannot be pre-started is not fatal (requests start fresh ones), but it is not hidden either.
    this.#warm = new WarmPool(spawner, this.#options.minIdleSessions, this.#options.warmTemplate, (error) =>
      process.emitWarning(`SessionPool could not pre-start a CLI process: ${error instanceof Error ? error.message : String(error)}`, 'VpDaemonWarning'),
    );
    if (this.#options.warmTemplate) queueMicrotask(() => this.#warm.fill());
  }

  /**
   * Queues a request; resolves with the spawned session once it is allocated. Rejects (typed) when the
   * queue is full, the pool is draining, the request is cancelled first, or the spawn fails. The returned
   * promise never becomes an unhandled rejection: use it or the callbacks.
   */
  requestSession(request: SessionRequest): Promise<SpawnResult> {
    const deferred = createDeferred<SpawnResult>();
    deferred.promise.catch(() => undefined);
    const priority = request.priority as SessionPriority;
    const ticket: Ticket = { request, priority, deferred, enqueuedAtMs: Date.now(), ended: false };
    const refusal = this.#refusal(request);
    if (refusal) {
      this.#stats.rejected += 1;
      this.#fail(ticket, refusal);
      return deferred.promise;
    }
    this.#queue.push(request.requestId, priority, ticket, ticket.enqueuedAtMs);
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
   * Cancels a queued request (it rejects with `ERR_REQUEST_CANCELLED`). A running session is stopped
   * only with `{ terminate: true }`. Returns whether anything was cancelled.
   */
  cancelRequest(requestId: string, options: { terminate?: boolean } = {}): boolean {
    const entry = this.#queue.remove(requestId);
    if (entry) {
      this.#stats.cancelled += 1;
      this.#emit('request-cancelled', { requestId });
      this.#fail(entry.item, new RequestCancelledError(requestId));
      return true;
    }
    if (!options.terminate) return false;
    const starting = this.#starting.get(requestId);
    if (starting) {
      starting.stopWhenStarted = true;
      return true;
    }
    const running = this.#running.get(requestId);
    if (running) void this.#spawner.terminateSession(running.sessionId, true).catch(() => undefined);
    return running !== undefined;
  }

  /** Stops admitting until `untilMs` (epoch ms), e.g. while an account's rate limit resets. */
  pauseAdmissions(untilMs: number): void {
    if (untilMs <= this.#pausedUntilMs) return;
    this.#pausedUntilMs = untilMs;
    clearTimeout(this.#pauseTimer);
    this.#pauseTimer = setTimeout(() => this.#pump(), Math.max(0, untilMs - Date.now()));
    this.#pauseTimer.unref();
  }

  /** Lets a recovery manager take over crashed sessions (used when `autoRecovery` is on). */
  attachRecovery(hook: PoolRecoveryHook): void {
    this.#recovery = hook;
  }

  /** Capacity, counts, the running sessions and the queue with honest wait estimates. */
  getPoolStatus(): PoolStatus {
    const now = Date.now();
    const capacity = this.#options.maxConcurrentSessions;
    const queued = this.#queue.ordered();
    const running = [...this.#running.values()];
    const waits = estimateWaits({
      queued: queued.length,
      capacity,
      runningElapsedMs: running.map((r) => now - r.startedAtMs),
      starting: this.#slotsTaken - running.length,
      avgSessionMs: this.#stats.recentMeanMs ?? this.#options.assumedSessionMs,
    });
    return {
      capacity,
      activeCount: running.length,
      idleCount: this.#warm.idleCount,
      queuedCount: queued.length,
      utilization: Math.round((running.length / capacity) * 1000) / 10,
      draining: this.#draining !== undefined,
      pausedUntil: this.#pausedUntilMs > now ? new Date(this.#pausedUntilMs) : undefined,
      activeSessions: running.map((r) => ({ requestId: r.ticket.request.requestId, sessionId: r.sessionId, priority: r.ticket.priority, startedAt: new Date(r.startedAtMs) })),
      queuedRequests: queued.map((e, position) => ({
        requestId: e.id,
        priority: e.priority,
        queuedAt: e.item.request.queuedAt ?? new Date(e.enqueuedAtMs),
        position,
        waitedMs: now - e.enqueuedAtMs,
        estimatedWaitTime: waits[position] ?? 0,
      })),
    };
  }

  /** The spec's metrics. */
  getMetrics(): PoolMetrics {
    return this.#stats.metrics({ active: this.#running.size, capacity: this.#options.maxConcurrentSessions, queueLength: this.#queue.size });
  }

  /**
   * Stops admitting, refuses every queued request, lets running sessions finish for `timeoutMs`,
   * then stops the rest gracefully. Emits `pool-drained` once; calling it again returns the same promise.
   */
  drain(timeoutMs = 30_000): Promise<void> {
    if (this.#draining) return this.#draining;
    // Set before any listener or callback runs, so a re-entrant call sees the pool as draining.
    const done = createDeferred<void>();
    this.#draining = done.promise;
    this.#drain(timeoutMs).then(done.resolve, done.reject);
    return done.promise;
  }

  async #drain(timeoutMs: number): Promise<void> {
    this.#emit('pool-draining');
    for (const entry of this.#queue.clear()) this.#fail(entry.item, new PoolDrainingError(entry.id));
    await this.#warm.close();
    let timer: NodeJS.Timeout | undefined;
    const idle = this.#whenIdle();
    await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.#stopOnStart = true;
    if (this.#slotsTaken > 0) {
      await Promise.all([...this.#running.values()].map((r) => this.#spawner.terminateSession(r.sessionId, true).catch(() => undefined)));
      await idle;
    }
    clearTimeout(this.#pauseTimer);
    this.#emit('pool-drained');
  }

  #refusal(request: SessionRequest): Error | undefined {
    if (typeof request.requestId !== 'string' || request.requestId === '') {
      return new ConfigError([{ field: 'requestId', message: 'must be a non-empty string', value: request.requestId }]);
    }
    if (!(PRIORITIES as readonly string[]).includes(request.priority)) {
      return new ConfigError([{ field: 'priority', message: `must be one of ${PRIORITIES.join(', ')}`, value: request.priority }]);
    }
    if (this.#draining) return new PoolDrainingError(request.requestId);
    const { requestId } = request;
    if (this.#queue.has(requestId) || this.#starting.has(requestId) || this.#running.has(requestId)) return new DuplicateRequestError(requestId);
    if (request.signal?.aborted) return new RequestCancelledError(requestId);
    // Full means it would have to wait and no place is left; a request that can start at once is admitted.
    const mustWait = this.#queue.size > 0 || this.#slotsTaken >= this.#options.maxConcurrentSessions || Date.now() < this.#pausedUntilMs;
    if (mustWait && this.#queue.size >= this.#options.maxQueueSize) return new QueueFullError(requestId, this.#options.maxQueueSize);
    return undefined;
  }

  // Admits queued requests while slots are free. Slots are taken synchronously, so concurrent
  // callers can never push the number of sessions past the limit.
  #pump(): void {
    if (this.#draining || Date.now() < this.#pausedUntilMs) return;
    while (this.#slotsTaken < this.#options.maxConcurrentSessions) {
      const entry = this.#queue.pop();
      if (!entry) return;
      this.#slotsTaken += 1;
      void this.#start(entry.item);
    }
  }

  async #start(ticket: Ticket): Promise<void> {
    const { request } = ticket;
    const config = this.#withDefaults(request.config);
    let result: SpawnResult;
    this.#starting.set(request.requestId, ticket);
    try {
      result = this.#activateWarm(config) ?? (await this.#spawner.spawnSession(config));
    } catch (error) {
      this.#starting.delete(request.requestId);
      this.#freeSlot();
      this.#stats.spawnFailures += 1;
      this.#fail(ticket, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.#starting.delete(request.requestId);
    this.#stats.allocated(Date.now() - ticket.enqueuedAtMs);
    this.#running.set(request.requestId, { ticket, sessionId: result.sessionId, startedAtMs: Date.now() });
    ticket.deferred.resolve(result);
    void result.completion.then((status) => this.#release(ticket, status, config));
    this.#call(() => request.onAllocated?.(result.sessionId));
    this.#emit('session-allocated', { requestId: request.requestId, sessionId: result.sessionId });
    if (this.#stopOnStart || ticket.stopWhenStarted) void this.#spawner.terminateSession(result.sessionId, true).catch(() => undefined);
    this.#warm.fill();
  }

  async #release(ticket: Ticket, status: ClaudeSessionStatus, config: ClaudeSessionConfig): Promise<void> {
    const { requestId } = ticket.request;
    this.#stats.finished(status);
    this.#emit('session-released', { sessionId: status.sessionId, status });
    let final = status;
    const recover = this.#options.autoRecovery && !this.#draining ? this.#recovery : undefined;
    if (recover && status.state !== 'completed' && status.state !== 'terminated') {
      // The slot stays taken while recovery retries the same request.
      final = await recover(status, config, {
        allocated: (sessionId) => {
          const running = this.#running.get(requestId);
          if (running) running.sessionId = sessionId;
          this.#stats.allocated(0);
          this.#call(() => ticket.request.onAllocated?.(sessionId));
          this.#emit('session-allocated', { requestId, sessionId });
        },
        ended: (attempt) => {
          this.#stats.finished(attempt);
          this.#emit('session-released', { sessionId: attempt.sessionId, status: attempt });
        },
      }).catch(() => status);
    }
    this.#running.delete(requestId);
    this.#freeSlot();
    if (final.state === 'completed') this.#end(ticket, () => ticket.request.onCompleted?.(final));
    else this.#end(ticket, () => ticket.request.onFailed?.(new SessionFailedError(final)));
  }

  // The request's config with the pool's default timeout; one copy per distinct config object.
  #withDefaults(config: ClaudeSessionConfig): ClaudeSessionConfig {
    if (config.timeout !== undefined) return config;
    let filled = this.#filled.get(config);
    if (!filled) {
      filled = { ...config, timeout: this.#options.defaultSessionTimeout };
      this.#filled.set(config, filled);
    }
    return filled;
  }

  // A matching warm process, handed the request; undefined (start a fresh one) if none can take it.
  #activateWarm(config: ClaudeSessionConfig): SpawnResult | undefined {
    const warm = this.#warm.take(config);
    if (!warm) return undefined;
    try {
      const result = warm.activate(config);
      this.#stats.warmStarts += 1;
      return result;
    } catch {
      void warm.discard();
      return undefined;
    }
  }

  #fail(ticket: Ticket, error: Error): void {
    ticket.deferred.reject(error);
    this.#end(ticket, () => ticket.request.onFailed?.(error));
  }

  #end(ticket: Ticket, callback: () => void): void {
    if (ticket.ended) return;
    ticket.ended = true;
    ticket.detach?.();
    this.#call(callback);
  }

  // Listeners run after the pool's own bookkeeping; one that throws cannot leak a slot or a request.
  #emit<K extends keyof PoolEvents>(event: K, ...args: PoolEvents[K]): void {
    if (this.listenerCount(event) === 0) return;
    this.#call(() => this.emit(event, ...(args as unknown as never)));
  }

  // A throwing user callback must not break the pool's bookkeeping.
  #call(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      process.emitWarning(`A SessionPool request callback threw: ${error instanceof Error ? error.message : String(error)}`, 'VpDaemonWarning');
    }
  }

  #freeSlot(): void {
    this.#slotsTaken -= 1;
    if (this.#slotsTaken === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    this.#pump();
  }

  #whenIdle(): Promise<void> {
    if (this.#slotsTaken === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
