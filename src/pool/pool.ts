import { EventEmitter } from 'node:events';
import {
  ConfigError,
  DuplicateRequestError,
  PoolDrainingError,
  QueueFullError,
  RequestCancelledError,
  SessionFailedError,
} from '../errors.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus, SessionPriority, SpawnResult } from '../spawner/types.js';
import { createDeferred, type Deferred } from '../utils/deferred.js';
import { PoolStats } from './stats.js';
import { normalizePoolOptions, type FilledPoolOptions } from './options.js';
import { PriorityScheduler, PRIORITIES } from './scheduler.js';
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
}

interface Running {
  ticket: Ticket;
  sessionId: string;
  startedAtMs: number;
}

/** Hands a crashed session to recovery; resolves with the final status of the recovery chain. */
export type PoolRecoveryHook = (status: ClaudeSessionStatus, config: ClaudeSessionConfig, allocate: (sessionId: string) => void) => Promise<ClaudeSessionStatus>;

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
  readonly #stats = new PoolStats();
  readonly #warm: WarmPool;
  // Slots taken, including spawns still in flight: the only counter admission looks at.
  #slotsTaken = 0;
  #draining: Promise<void> | undefined;
  #pausedUntilMs = 0;
  #pauseTimer: NodeJS.Timeout | undefined;
  #idleWaiters: (() => void)[] = [];
  #recovery: PoolRecoveryHook | undefined;

  constructor(spawner: PoolSpawner, options: PoolOptions = {}) {
    super();
    this.#spawner = spawner;
    this.#options = normalizePoolOptions(options);
    this.#queue = new PriorityScheduler({ weights: this.#options.priorityWeights, agingIntervalMs: this.#options.agingIntervalMs });
    this.#warm = new WarmPool(spawner, this.#options.minIdleSessions, this.#options.warmTemplate, () => undefined);
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
    request.signal?.addEventListener('abort', () => this.cancelRequest(request.requestId, { terminate: true }), { once: true });
    this.emit('request-queued', { requestId: request.requestId, position: this.#queue.position(request.requestId), queueLength: this.#queue.size });
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
      this.emit('request-cancelled', { requestId });
      this.#fail(entry.item, new RequestCancelledError(requestId));
      return true;
    }
    const running = this.#running.get(requestId);
    if (running && options.terminate) {
      void this.#spawner.terminateSession(running.sessionId, true).catch(() => undefined);
      return true;
    }
    return false;
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
    this.#draining ??= this.#drain(timeoutMs);
    return this.#draining;
  }

  async #drain(timeoutMs: number): Promise<void> {
    this.emit('pool-draining');
    for (const entry of this.#queue.clear()) this.#fail(entry.item, new PoolDrainingError(entry.id));
    await this.#warm.close();
    let timer: NodeJS.Timeout | undefined;
    const idle = this.#whenIdle();
    await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    if (this.#slotsTaken > 0) {
      await Promise.all([...this.#running.values()].map((r) => this.#spawner.terminateSession(r.sessionId, true).catch(() => undefined)));
      await idle;
    }
    clearTimeout(this.#pauseTimer);
    this.emit('pool-drained');
  }

  #refusal(request: SessionRequest): Error | undefined {
    if (typeof request.requestId !== 'string' || request.requestId === '') {
      return new ConfigError([{ field: 'requestId', message: 'must be a non-empty string', value: request.requestId }]);
    }
    if (!(PRIORITIES as readonly string[]).includes(request.priority)) {
      return new ConfigError([{ field: 'priority', message: `must be one of ${PRIORITIES.join(', ')}`, value: request.priority }]);
    }
    if (this.#draining) return new PoolDrainingError(request.requestId);
    if (this.#queue.has(request.requestId) || this.#running.has(request.requestId)) return new DuplicateRequestError(request.requestId);
    if (this.#queue.size >= this.#options.maxQueueSize) return new QueueFullError(request.requestId, this.#options.maxQueueSize);
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
    const config = request.config.timeout === undefined ? { ...request.config, timeout: this.#options.defaultSessionTimeout } : request.config;
    let result: SpawnResult;
    try {
      const warm = this.#warm.take(config);
      if (warm) this.#stats.warmStarts += 1;
      result = warm ? warm.activate(config) : await this.#spawner.spawnSession(config);
    } catch (error) {
      this.#freeSlot();
      this.#stats.spawnFailures += 1;
      this.#fail(ticket, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.#stats.allocated(Date.now() - ticket.enqueuedAtMs);
    this.#running.set(request.requestId, { ticket, sessionId: result.sessionId, startedAtMs: Date.now() });
    this.#call(() => request.onAllocated?.(result.sessionId));
    this.emit('session-allocated', { requestId: request.requestId, sessionId: result.sessionId });
    ticket.deferred.resolve(result);
    this.#warm.fill();
    void result.completion.then((status) => this.#release(ticket, status, config));
  }

  async #release(ticket: Ticket, status: ClaudeSessionStatus, config: ClaudeSessionConfig): Promise<void> {
    const { requestId } = ticket.request;
    this.#stats.finished(status);
    this.emit('session-released', { sessionId: status.sessionId, status });
    let final = status;
    const recover = this.#options.autoRecovery && !this.#draining ? this.#recovery : undefined;
    if (recover && status.state !== 'completed' && status.state !== 'terminated') {
      // The slot stays taken while recovery retries the same request.
      final = await recover(status, config, (sessionId) => {
        const running = this.#running.get(requestId);
        if (running) running.sessionId = sessionId;
        this.#call(() => ticket.request.onAllocated?.(sessionId));
        this.emit('session-allocated', { requestId, sessionId });
      }).catch(() => status);
    }
    this.#running.delete(requestId);
    this.#freeSlot();
    if (final.state === 'completed') this.#end(ticket, () => ticket.request.onCompleted?.(final));
    else this.#end(ticket, () => ticket.request.onFailed?.(new SessionFailedError(final)));
  }

  #fail(ticket: Ticket, error: Error): void {
    ticket.deferred.reject(error);
    this.#end(ticket, () => ticket.request.onFailed?.(error));
  }

  #end(ticket: Ticket, callback: () => void): void {
    if (ticket.ended) return;
    ticket.ended = true;
    this.#call(callback);
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
