import type { ClaudeSessionStatus } from '../session/types.js';
import type { PoolMetrics } from './types.js';

const RECENT = 50;

/** Running totals of a pool: O(1) per event, a bounded window for wait estimates. */
export class PoolStats {
  rejected = 0;
  cancelled = 0;
  spawnFailures = 0;
  warmStarts = 0;
  #allocated = 0;
  #waited = 0;
  #waitSumMs = 0;
  #finished = 0;
  #durationSumMs = 0;
  #tokens = 0;
  /** Finished sessions by final state. */
  readonly byState = { completed: 0, failed: 0, crashed: 0, timeout: 0, terminated: 0 };
  readonly #recent: number[] = [];

  /** A session was allocated; `waitedMs` is the request's queue wait (undefined for a retry's session). */
  allocated(waitedMs: number | undefined): void {
    this.#allocated += 1;
    if (waitedMs === undefined) return;
    this.#waited += 1;
    this.#waitSumMs += waitedMs;
  }

  finished(status: ClaudeSessionStatus): void {
    this.#tokens += status.tokenUsage.total;
    const state = status.state as keyof PoolStats['byState'];
    if (state in this.byState) this.byState[state] += 1;
    // A session without a measured duration (never started) says nothing about how long sessions take.
    const ms = status.executionTime;
    if (ms === undefined) return;
    this.#finished += 1;
    this.#durationSumMs += ms;
    this.#recent.push(ms);
    if (this.#recent.length > RECENT) this.#recent.shift();
  }

  /** Mean duration of the last finished sessions, or undefined before any finished. */
  get recentMeanMs(): number | undefined {
    if (this.#recent.length === 0) return undefined;
    return this.#recent.reduce((a, b) => a + b, 0) / this.#recent.length;
  }

  metrics(now: { active: number; capacity: number; queueLength: number }): PoolMetrics {
    return {
      totalSessions: this.#allocated,
      activeSessions: now.active,
      completedSessions: this.byState.completed,
      failedSessions: this.byState.failed,
      crashedSessions: this.byState.crashed,
      timedOutSessions: this.byState.timeout,
      terminatedSessions: this.byState.terminated,
      avgExecutionTime: this.#finished > 0 ? Math.round(this.#durationSumMs / this.#finished) : 0,
      totalTokensUsed: this.#tokens,
      poolUtilization: Math.round((now.active / now.capacity) * 1000) / 10,
      queueLength: now.queueLength,
      queueWaitTime: this.#waited > 0 ? Math.round(this.#waitSumMs / this.#waited) : 0,
      rejectedRequests: this.rejected,
      cancelledRequests: this.cancelled,
      warmStarts: this.warmStarts,
    };
  }
}
