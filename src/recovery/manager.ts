import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import type { PoolRecoveryHook, RecoveryCallbacks } from '../pool/pool.js';
import { toCrashReport } from '../spawner/crash-report.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';
import { createDeferred, type Deferred } from '../utils/deferred.js';
import { strategyDelayMs } from './backoff.js';
import { analyzeCrash, isCrash } from './classify.js';
import { type CrashAnalysis } from '../session/crash.js';
import { pruneCrashDumps, writeCrashDump } from './crash-dump.js';
import { normalizeRecoveryOptions, type FilledRecoveryOptions } from './options.js';
import { recoveryPolicy } from './policy.js';
import { RecoveryStats } from './stats.js';
import type { RecoveryAttempt, RecoveryEvents, RecoveryOptions, RecoverySpawner, RecoveryStatistics } from './types.js';

interface Chain {
  rootId: string;
  config: ClaudeSessionConfig;
  attempts: RecoveryAttempt[];
  abort: AbortController;
  done: Deferred<ClaudeSessionStatus>;
  // Resolved by triggerManualRecovery while a `manual` chain waits.
  trigger?: Deferred<void>;
  // Set while a pool waits on this chain.
  pool?: RecoveryCallbacks;
}

class Abandoned extends Error {}

// An abortable wait on the global timer (so fake timers can drive it).
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    if (signal.aborted) return fail(new Abandoned());
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), fail(new Abandoned())), { once: true });
  });
}

/**
 * Watches a spawner for crashed sessions, explains each crash from evidence, saves a dump, and retries
 * within limits: resuming the Claude conversation where the crash allows it, waiting out rate limits,
 * never retrying what cannot succeed (auth, permission, budget).
 */
export class SessionRecoveryManager extends EventEmitter<RecoveryEvents> {
  readonly #spawner: RecoverySpawner;
  readonly #options: FilledRecoveryOptions;
  readonly #chains = new Map<string, Chain>();
  // Configs of sessions spawned by a chain: their end is handled by the chain, not as a new crash.
  // (Keyed by the config object, which is known before the spawn returns an id.)
  readonly #owned = new WeakSet<ClaudeSessionConfig>();
  readonly #stats = new RecoveryStats();
  readonly #listener = ({ sessionId, status }: { sessionId: string; status: ClaudeSessionStatus }): void => this.#onEnded(sessionId, status);
  /** Absolute folder of the crash dumps (resolved once, at construction). */
  readonly crashDumpDirectory: string;

  constructor(spawner: RecoverySpawner, options: RecoveryOptions = {}) {
    super();
    this.#spawner = spawner;
    this.#options = normalizeRecoveryOptions(options);
    this.crashDumpDirectory = resolve(this.#options.crashDumpDirectory);
    spawner.on('session-ended', this.#listener);
  }

  /** The spec's statistics. */
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

  /** For `SessionPool.attachRecovery`: the pool keeps the request's slot while its chain runs. */
  poolHook(): PoolRecoveryHook {
    return (status, _config, callbacks) => {
      const chain = this.#chains.get(status.sessionId);
      if (!chain) return Promise.resolve(status);
      chain.pool = callbacks;
      return chain.done.promise;
    };
  }

  /** Stops watching the spawner and abandons every chain. */
  close(): void {
    this.#spawner.off('session-ended', this.#listener);
    for (const chain of this.#chains.values()) chain.abort.abort();
  }

  #onEnded(sessionId: string, status: ClaudeSessionStatus): void {
    const config = this.#spawner.getSessionConfig(sessionId);
    if ((config && this.#owned.has(config)) || !isCrash(status)) return;
    this.#stats.crashes += 1;
    this.emit('crash-detected', { sessionId, crashReport: toCrashReport(status) });
    const chain: Chain = { rootId: sessionId, config: config!, attempts: [], abort: new AbortController(), done: createDeferred() };
    if (!this.#options.enabled || !config) {
      void this.#explain(chain, status);
      return;
    }
    this.#chains.set(sessionId, chain);
    void this.#run(chain, status);
  }

  // Classifies a crash and saves its dump; returns the analysis.
  async #explain(chain: Chain, status: ClaudeSessionStatus): Promise<CrashAnalysis> {
    const analysis = analyzeCrash(status);
    this.emit('crash-analyzed', { sessionId: chain.rootId, analysis });
    if (this.#options.saveCrashDumps) {
      try {
        const filepath = await writeCrashDump(this.crashDumpDirectory, {
          sessionId: status.sessionId,
          timestamp: status.endTime ?? new Date(),
          analysis,
          exitCode: status.exitCode,
          signal: status.signal,
          state: status.state,
          outcome: status.outcome,
          stdoutTail: status.stdout.slice(-8000),
          stderrTail: status.stderr.slice(-8000),
          lastMessages: status.evidence?.lastMessages ?? [],
          timings: { startTime: status.startTime.toISOString(), endTime: status.endTime?.toISOString(), executionTimeMs: status.executionTime },
          attempts: chain.attempts,
          config: chain.config,
        });
        this.emit('crash-dump-saved', { sessionId: chain.rootId, filepath });
        await pruneCrashDumps(this.crashDumpDirectory, { maxFiles: this.#options.maxCrashDumps, maxAgeMs: this.#options.crashDumpMaxAgeMs });
      } catch {
        // A dump that cannot be written must not stop recovery.
      }
    }
    return analysis;
  }

  async #run(chain: Chain, crashed: ClaudeSessionStatus): Promise<void> {
    let last = crashed;
    let analysis = await this.#explain(chain, last);
    let end: { ok: boolean; reason: string } = { ok: false, reason: `gave up after ${this.#options.maxRetries} attempts` };
    try {
      for (let attempt = 1; ; attempt++) {
        const decision = recoveryPolicy(analysis, last, Date.now());
        if (decision.action === 'never') {
          end = { ok: false, reason: decision.reason };
          break;
        }
        if (attempt > this.#options.maxRetries) break;
        let delayMs = await this.#delayFor(chain, attempt);
        if (decision.action === 'wait' && decision.waitUntilMs !== undefined) {
          this.#options.onRateLimit?.(decision.waitUntilMs);
          delayMs = Math.max(delayMs, decision.waitUntilMs - Date.now());
        }
        await sleep(delayMs, chain.abort.signal);
        const resume = decision.resume && last.claudeSessionId !== '';
        this.emit('recovery-attempt', { sessionId: chain.rootId, attemptNumber: attempt, analysis, delayMs, resume });
        this.#stats.attempts += 1;
        const record: RecoveryAttempt = { attemptNumber: attempt, startedAt: new Date(), delayMs, resumed: resume };
        chain.attempts.push(record);
        const next = await this.#attempt(chain, record, resume ? last.claudeSessionId : undefined);
        if (next?.state === 'completed') {
          this.#stats.succeeded(attempt);
          this.emit('recovery-succeeded', { sessionId: chain.rootId, attemptNumber: attempt, newSessionId: next.sessionId, status: next });
          return chain.done.resolve(next);
        }
        const reason = record.error ?? `${next?.state ?? 'failed'} (${next?.outcome?.reason ?? 'no outcome'})`;
        this.emit('recovery-attempt-failed', { sessionId: chain.rootId, attemptNumber: attempt, reason, newSessionId: record.newSessionId });
        if (next && !isCrash(next)) {
          end = { ok: false, reason: `attempt ${attempt} ended ${next.state}, not a crash` };
          last = next;
          break;
        }
        if (next) {
          last = next;
          analysis = await this.#explain(chain, last);
        }
      }
      this.#stats.failed += 1;
      this.emit('recovery-failed', { sessionId: chain.rootId, reason: end.reason, attempts: chain.attempts });
    } catch (error) {
      if (!(error instanceof Abandoned)) throw error;
      this.#stats.abandoned += 1;
      this.emit('recovery-abandoned', { sessionId: chain.rootId, attempts: chain.attempts });
    } finally {
      this.#chains.delete(chain.rootId);
      chain.done.resolve(last);
    }
  }

  // The wait before an attempt: by strategy, or until a person triggers it.
  async #delayFor(chain: Chain, attempt: number): Promise<number> {
    const o = this.#options;
    const delay = strategyDelayMs(o.strategy, attempt, { retryDelayMs: o.retryDelay, backoffMultiplier: o.backoffMultiplier, maxDelayMs: o.maxRetryDelay, jitter: o.jitter }, o.random);
    if (delay !== undefined) return delay;
    chain.trigger = createDeferred<void>();
    const abandoned = new Promise<never>((_, fail) => chain.abort.signal.addEventListener('abort', () => fail(new Abandoned()), { once: true }));
    await Promise.race([chain.trigger.promise, abandoned]);
    chain.trigger = undefined;
    return 0;
  }

  // Spawns one attempt with the chain's config (resuming the conversation when allowed) and waits for its end.
  async #attempt(chain: Chain, record: RecoveryAttempt, resumeId: string | undefined): Promise<ClaudeSessionStatus | undefined> {
    // A fresh start drops any earlier resume id; a resume continues the crashed conversation.
    const config: ClaudeSessionConfig = { ...chain.config, resumeClaudeSessionId: resumeId };
    this.#owned.add(config);
    try {
      const { sessionId, completion } = await this.#spawner.spawnSession(config);
      record.newSessionId = sessionId;
      chain.pool?.allocated(sessionId);
      const status = await completion;
      chain.pool?.ended(status);
      record.state = status.state;
      record.outcome = status.outcome?.reason;
      return status;
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  }
}
