import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { isPooled, linkRecovery, unlinkRecovery, type ChainEnd, type PoolRecovery, type RetryChain, type RetryPlan } from '../pool/recovery-link.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';
import { continuedConfig } from '../session/continuation.js';
import { toCrashReport } from '../spawner/crash-report.js';
import { createDeferred } from '../utils/deferred.js';
import { attemptFailure, waitBeforeAttempt, type Chain } from './chain.js';
import { analyzeCrash, isCrash } from './classify.js';
import { saveCrashDump } from './crash-dump.js';
import { decideRetry } from './decide.js';
import { normalizeRecoveryOptions, type FilledRecoveryOptions } from './options.js';
import { RecoveryStats } from './stats.js';
import type { RecoveryEvents, RecoveryOptions, RecoverySpawner, RecoveryStatistics } from './types.js';

type Retry = RetryPlan & { retry: true };

/**
 * Explains crashed sessions from evidence, saves a dump, and decides retries within limits: resuming the Claude
 * conversation where the crash allows it, waiting out rate limits, never retrying what cannot succeed (auth,
 * permission, budget). A `SessionPool` with `autoRecovery` on the same spawner asks it about its own sessions
 * and retries them through its queue; a session spawned directly is retried here, on the spawner.
 */
export class SessionRecoveryManager extends EventEmitter<RecoveryEvents> implements PoolRecovery {
  readonly #spawner: RecoverySpawner;
  readonly #options: FilledRecoveryOptions;
  // Chains with attempts still to come or running, by the id of the session that crashed first.
  readonly #chains = new Map<string, Chain>();
  // Configs of attempts this manager spawned itself: their end is handled by their chain.
  readonly #owned = new WeakSet<ClaudeSessionConfig>();
  readonly #stats = new RecoveryStats();
  readonly #closed = new AbortController();
  readonly #listener = ({ sessionId, status }: { sessionId: string; status: ClaudeSessionStatus }): void => this.#onEnded(sessionId, status);
  /** Absolute folder of the crash dumps (resolved once, at construction). */
  readonly crashDumpDirectory: string;

  constructor(spawner: RecoverySpawner, options: RecoveryOptions = {}) {
    super();
    this.#spawner = spawner;
    this.#options = normalizeRecoveryOptions(options);
    this.crashDumpDirectory = resolve(this.#options.crashDumpDirectory);
    spawner.on('session-ended', this.#listener);
    linkRecovery(spawner, this);
  }

  /** The spec's statistics, over direct and pool retries alike. */
  getRecoveryStats(): RecoveryStatistics {
    return this.#stats.snapshot(this.#chains.size);
  }

  /** Starts the next attempt of a `manual` chain. Returns false when that chain is not waiting. */
  triggerManualRecovery(sessionId: string): boolean {
    const trigger = this.#chains.get(sessionId)?.trigger;
    trigger?.resolve();
    return trigger !== undefined;
  }

  /** Stops a chain: no further attempts (a running attempt is left to finish). Returns false if none. */
  abandonRecovery(sessionId: string): boolean {
    const chain = this.#chains.get(sessionId);
    chain?.abort.abort();
    return chain !== undefined;
  }

  /** Stops watching the spawner and abandons every chain. */
  close(): void {
    this.#spawner.off('session-ended', this.#listener);
    unlinkRecovery(this.#spawner, this);
    this.#closed.abort();
  }

  /** For a pool: see {@link PoolRecovery.planRetry}. */
  planRetry(status: ClaudeSessionStatus, known: RetryChain | undefined, allowRetry: boolean): { chain: RetryChain; plan: RetryPlan } | undefined {
    let chain = known && this.#chains.get(known.id);
    if (chain) {
      const attempt = chain.attempts.at(-1);
      if (attempt) Object.assign(attempt, { state: status.state, outcome: status.outcome?.reason });
      this.emit('recovery-attempt-failed', { sessionId: chain.id, attemptNumber: chain.attempts.length, reason: attemptFailure(status), newSessionId: attempt?.newSessionId });
      if (!isCrash(status)) return { chain, plan: { retry: false, reason: `attempt ${chain.attempts.length} ended ${status.state}, not a crash` } };
      chain.analysis = analyzeCrash(status);
      this.#report(chain, status);
    } else {
      if (!isCrash(status)) return undefined;
      chain = this.#open(status);
      if (!this.#options.enabled || !allowRetry || this.#closed.signal.aborted) {
        return { chain, plan: { retry: false, reason: 'not retried: recovery is off for this session' } };
      }
      this.#chains.set(chain.id, chain);
    }
    if (!allowRetry) return { chain, plan: { retry: false, reason: 'not retried: the request was cancelled or the pool is draining' } };
    const plan = decideRetry({ analysis: chain.analysis, status, attemptsMade: chain.attempts.length, options: this.#options, nowMs: Date.now() });
    if (plan.retry && plan.pauseAdmissionsUntilMs !== undefined) this.#options.onRateLimit?.(plan.pauseAdmissionsUntilMs);
    return { chain, plan };
  }

  /** For a pool: see {@link PoolRecovery.waitForRetry}. */
  waitForRetry(known: RetryChain, plan: Retry, signal: AbortSignal): Promise<boolean> {
    const chain = this.#chains.get(known.id);
    if (!chain) return Promise.resolve(false);
    return waitBeforeAttempt(plan.delayMs, [signal, chain.abort.signal, this.#closed.signal], () => (chain.trigger = createDeferred<void>())).finally(
      () => (chain.trigger = undefined),
    );
  }

  /** For a pool: see {@link PoolRecovery.attemptQueued}. */
  attemptQueued(known: RetryChain, plan: Retry): void {
    const chain = this.#chains.get(known.id);
    if (!chain) return;
    const resume = plan.resumeClaudeSessionId !== undefined;
    const delayMs = plan.delayMs ?? 0;
    this.#stats.attempts += 1;
    chain.attempts.push({ attemptNumber: plan.attemptNumber, startedAt: new Date(), delayMs, resumed: resume });
    this.emit('recovery-attempt', { sessionId: chain.id, attemptNumber: plan.attemptNumber, analysis: chain.analysis, delayMs, resume });
  }

  /** For a pool: see {@link PoolRecovery.attemptStarted}. */
  attemptStarted(known: RetryChain, sessionId: string): void {
    const attempt = this.#chains.get(known.id)?.attempts.at(-1);
    if (attempt) attempt.newSessionId = sessionId;
  }

  /** For a pool: see {@link PoolRecovery.chainEnded}. */
  chainEnded(known: RetryChain, end: ChainEnd): void {
    const chain = this.#chains.get(known.id);
    if (!chain) return;
    this.#chains.delete(chain.id);
    const { attempts } = chain;
    if (end.result === 'succeeded') {
      const attemptNumber = attempts.length;
      Object.assign(attempts.at(-1) ?? {}, { state: end.status.state, outcome: end.status.outcome?.reason });
      this.#stats.succeeded(attemptNumber);
      this.emit('recovery-succeeded', { sessionId: chain.id, attemptNumber, newSessionId: end.status.sessionId, status: end.status });
    } else if (end.result === 'failed') {
      this.#stats.failed += 1;
      this.emit('recovery-failed', { sessionId: chain.id, reason: end.reason, attempts });
    } else {
      this.#stats.abandoned += 1;
      this.emit('recovery-abandoned', { sessionId: chain.id, attempts });
    }
  }

  #open(status: ClaudeSessionStatus): Chain {
    this.#stats.crashes += 1;
    this.emit('crash-detected', { sessionId: status.sessionId, crashReport: toCrashReport(status) });
    const config = this.#spawner.getSessionConfig(status.sessionId);
    const chain: Chain = { id: status.sessionId, config, attempts: [], analysis: analyzeCrash(status), abort: new AbortController() };
    this.#report(chain, status);
    return chain;
  }

  // Reports the chain's latest analysis and saves the crash's dump in the background.
  #report(chain: Chain, status: ClaudeSessionStatus): void {
    const crashedSessionId = status.sessionId;
    this.emit('crash-analyzed', { sessionId: chain.id, analysis: chain.analysis, crashedSessionId });
    if (!this.#options.saveCrashDumps) return;
    const attempts = chain.attempts.map((a) => ({ ...a }));
    void saveCrashDump(this.crashDumpDirectory, this.#options, { status, analysis: chain.analysis, attempts, config: chain.config }).then(
      (filepath) => filepath !== undefined && this.emit('crash-dump-saved', { sessionId: chain.id, filepath, crashedSessionId }),
    );
  }

  // A session spawned directly on the spawner (not by a pool) crashed: this manager retries it.
  #onEnded(sessionId: string, status: ClaudeSessionStatus): void {
    const config = this.#spawner.getSessionConfig(sessionId);
    if (config && (isPooled(config) || this.#owned.has(config))) return;
    const planned = this.planRetry(status, undefined, config !== undefined);
    if (planned) void this.#retryDirectly(planned.chain, planned.plan, status);
  }

  async #retryDirectly(chain: RetryChain, first: RetryPlan, crashed: ClaudeSessionStatus): Promise<void> {
    let plan = first;
    let previous = crashed;
    while (plan.retry) {
      if (!(await this.waitForRetry(chain, plan, this.#closed.signal))) return this.chainEnded(chain, { result: 'abandoned', reason: 'abandoned' });
      this.attemptQueued(chain, plan);
      const status = await this.#spawnAttempt(chain, plan, previous);
      if (status === undefined) return this.chainEnded(chain, { result: 'failed', reason: 'the attempt could not start' });
      previous = status;
      if (status.state === 'completed') return this.chainEnded(chain, { result: 'succeeded', status });
      plan = this.planRetry(status, chain, true)?.plan ?? { retry: false, reason: attemptFailure(status) };
    }
    this.chainEnded(chain, { result: 'failed', reason: plan.reason });
  }

  async #spawnAttempt(known: RetryChain, plan: Retry, previous: ClaudeSessionStatus): Promise<ClaudeSessionStatus | undefined> {
    const chain = this.#chains.get(known.id);
    if (!chain?.config) return undefined;
    // A fresh start drops any earlier resume id; a resume continues the crashed conversation.
    const config: ClaudeSessionConfig = continuedConfig(chain.config, previous, plan.resumeClaudeSessionId);
    this.#owned.add(config);
    try {
      const { sessionId, completion } = await this.#spawner.spawnSession(config);
      this.attemptStarted(chain, sessionId);
      return await completion;
    } catch (error) {
      const attempt = chain.attempts.at(-1);
      if (attempt) attempt.error = error instanceof Error ? error.message : String(error);
      this.emit('recovery-attempt-failed', { sessionId: chain.id, attemptNumber: chain.attempts.length, reason: attempt?.error ?? 'spawn failed' });
      return undefined;
    }
  }
}
