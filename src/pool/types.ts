import type { ClaudeSessionConfig, ClaudeSessionStatus, SessionCounts, SessionPriority, SpawnResult } from '../session/types.js';
import type { WarmSession } from '../spawner/warm.js';

/** What the pool needs of a spawner. `ClaudeSessionSpawner` is one; a test or benchmark may pass its own. */
export interface PoolSpawner {
  spawnSession(config: ClaudeSessionConfig): Promise<SpawnResult>;
  terminateSession(sessionId: string, graceful?: boolean): Promise<void>;
  /** Optional: start a process ahead of time (enables `minIdleSessions`). */
  prewarm?(template: ClaudeSessionConfig): Promise<WarmSession>;
}

/** A request for a session, as the spec defines it. */
export interface SessionRequest {
  requestId: string;
  config: ClaudeSessionConfig;
  /** One of critical, high, medium, low. */
  priority: SessionPriority | (string & {});
  queuedAt?: Date;
  /** Called once per allocation (the first session and each retry's) with the new session's id. */
  onAllocated?: (sessionId: string) => void;
  /** Called once, after the last attempt, when its session ended `completed`. */
  onCompleted?: (status: ClaudeSessionStatus) => void;
  /**
   * Called once, after the last attempt, when the request ends any other way: `ERR_SESSION_FAILED` (its last
   * session failed), `ERR_REQUEST_CANCELLED`, `ERR_POOL_DRAINING`, `ERR_QUEUE_FULL`, a spawn error.
   */
  onFailed?: (error: Error) => void;
  /** Cancels the request: removed while queued or waiting for a retry, terminated while running. A whole-request deadline: `AbortSignal.timeout(ms)`. */
  signal?: AbortSignal;
}

/** Options of {@link SessionPool}. */
export interface PoolOptions {
  /** Sessions running at once. @default 5 */
  readonly maxConcurrentSessions?: number;
  /** CLI processes kept started and waiting for requests that match `warmTemplate`. @default 0 */
  readonly minIdleSessions?: number;
  /** Wall-clock limit for requests whose config sets no `timeout`, in ms. @default 1_800_000 */
  readonly defaultSessionTimeout?: number;
  /** Requests waiting at most; more are refused with `ERR_QUEUE_FULL`. @default 1000 */
  readonly maxQueueSize?: number;
  /**
   * Retry crashed requests through the queue, as the `SessionRecoveryManager` built on the same spawner (or the one
   * given to `attachRecovery`) decides. Cancel, drain, limits, priorities and metrics apply to every attempt. @default false
   */
  readonly autoRecovery?: boolean;
  /** Weight of each priority; higher runs first. @default { critical: 4, high: 3, medium: 2, low: 1 } */
  readonly priorityWeights?: Readonly<Record<SessionPriority, number>>;
  /** Waiting this long raises a request by one weight unit, so nothing starves; 0 disables aging. @default 60_000 */
  readonly agingIntervalMs?: number;
  /** Config that warm processes are started with; default: the first request's config. */
  readonly warmTemplate?: ClaudeSessionConfig;
  /** Session length assumed for wait estimates until sessions have finished, in ms. @default 300_000 */
  readonly assumedSessionMs?: number;
}

/** A queued request as `getPoolStatus` shows it. */
export interface QueuedRequestView {
  requestId: string;
  priority: SessionPriority;
  queuedAt: Date;
  position: number;
  waitedMs: number;
  estimatedWaitTime: number;
}

/** The pool right now. */
export interface PoolStatus {
  capacity: number;
  activeCount: number;
  idleCount: number;
  queuedCount: number;
  /** Requests waiting out the delay before a retry (they hold no slot). */
  retryingCount: number;
  /** activeCount / capacity, in percent. */
  utilization: number;
  draining: boolean;
  /** Admissions paused until this time (a rate limit), if any. */
  pausedUntil?: Date;
  activeSessions: { requestId: string; sessionId: string; priority: SessionPriority; startedAt: Date }[];
  queuedRequests: QueuedRequestView[];
}

/** The spec's pool metrics, plus a few more. `totalSessions` counts every attempt's session. */
export interface PoolMetrics extends SessionCounts {
  poolUtilization: number;
  queueLength: number;
  /** Mean time requests waited in the queue for their first session, in ms. */
  queueWaitTime: number;
  rejectedRequests: number;
  cancelledRequests: number;
  warmStarts: number;
}

/** Events of {@link SessionPool}. */
export interface PoolEvents {
  'session-allocated': [{ requestId: string; sessionId: string }];
  'session-released': [{ sessionId: string; status: ClaudeSessionStatus }];
  'request-queued': [{ requestId: string; position: number; queueLength: number }];
  'request-cancelled': [{ requestId: string }];
  /** A crashed request will be tried again: after `delayMs` (undefined: a manual trigger), through the queue. */
  'request-retrying': [{ requestId: string; sessionId: string; attemptNumber: number; delayMs: number | undefined; resume: boolean }];
  'pool-draining': [];
  'pool-drained': [];
}
