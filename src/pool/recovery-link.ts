import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';

/** What the pool does next with a request whose session ended without completing. */
export type RetryPlan =
  | {
      retry: true;
      /** 1 for the first retry. */
      attemptNumber: number;
      /** Wait before the attempt re-enters the queue, in ms; undefined: until `triggerManualRecovery`. */
      delayMs: number | undefined;
      /** Continue this Claude conversation (`--resume`); undefined: a new conversation. */
      resumeClaudeSessionId?: string;
      /** A rate limit: no request is admitted before this time (epoch ms). */
      pauseAdmissionsUntilMs?: number;
    }
  | { retry: false; reason: string };

/** One request's chain of attempts; opaque to the pool. `id` is the session that crashed first. */
export interface RetryChain {
  readonly id: string;
}

/** How a chain ended, as the pool reports it. */
export type ChainEnd =
  | { result: 'succeeded'; status: ClaudeSessionStatus }
  | { result: 'failed'; reason: string }
  | { result: 'abandoned'; reason: string };

/**
 * The decision a pool asks when one of its sessions ends without completing. `SessionRecoveryManager` is one:
 * it decides (classification, policy, backoff), reports (events, statistics, crash dumps), and the pool acts
 * (waits on the request's signal, queues the attempt, ends the request once).
 */
export interface PoolRecovery {
  /**
   * The session of a request ended without completing. `chain` is undefined for the request's first session.
   * Returns undefined when the end is no crash (nothing to recover). With `allowRetry` false the crash is only
   * reported (the pool has `autoRecovery` off, or is draining).
   */
  planRetry(status: ClaudeSessionStatus, chain: RetryChain | undefined, allowRetry: boolean): { chain: RetryChain; plan: RetryPlan } | undefined;
  /** Waits out a plan's delay (or its manual trigger). Resolves false when the signal aborts or the chain is abandoned. */
  waitForRetry(chain: RetryChain, plan: RetryPlan & { retry: true }, signal: AbortSignal): Promise<boolean>;
  /** The attempt leaves the wait for the queue. */
  attemptQueued(chain: RetryChain, plan: RetryPlan & { retry: true }): void;
  /** The attempt's session started. */
  attemptStarted(chain: RetryChain, sessionId: string): void;
  /** The chain is over: no more attempts. */
  chainEnded(chain: RetryChain, end: ChainEnd): void;
}

// A recovery made for a spawner, found by the pools built on the same spawner (either may be created first).
const linked = new WeakMap<object, PoolRecovery>();
// Configs a pool spawned: a recovery watching the spawner leaves their sessions to the pool.
const pooled = new WeakSet<ClaudeSessionConfig>();

/** Makes `recovery` the one pools on `spawner` use with `autoRecovery` (unless one is attached explicitly). */
export const linkRecovery = (spawner: object, recovery: PoolRecovery): void => void linked.set(spawner, recovery);

/** Undoes {@link linkRecovery}, if `recovery` is the one linked. */
export function unlinkRecovery(spawner: object, recovery: PoolRecovery): void {
  if (linked.get(spawner) === recovery) linked.delete(spawner);
}

export const linkedRecovery = (spawner: object): PoolRecovery | undefined => linked.get(spawner);

export const markPooled = (config: ClaudeSessionConfig): void => void pooled.add(config);

/** Whether a pool spawned a session with this config (its retries are the pool's, not the recovery's). */
export const isPooled = (config: ClaudeSessionConfig): boolean => pooled.has(config);
