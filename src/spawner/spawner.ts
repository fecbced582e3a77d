import { EventEmitter } from 'node:events';
import { validateSessionConfig } from '../charter/schema.js';
import { ConfigError, SessionNotFoundError, SessionNotRunningError } from '../session/errors.js';
import type { AttachedGuard } from './guard-attach.js';
import type { ApprovalRequest, SessionGuard } from '../guard/session-guard.js';
import { untrackLiveSession } from './exit-cleanup.js';
import { launchRun, type LaunchContext } from './launch.js';
import { deadlinesFor } from './new-run.js';
import { normalizeSpawnerOptions, type FilledSpawnerOptions, type SpawnerOptions } from './options.js';
import type { SessionRun } from './session.js';
import { toCrashReport } from './crash-report.js';
import { summarize } from './summary.js';
import { warmMatches, warmPrompt, type WarmSession } from './warm.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus, SessionCrashReport, SessionMetricsSummary, SpawnResult } from '../session/types.js';
import type { SpawnerEvents } from './types.js';

/**
 * Spawns and supervises headless Claude Code sessions.
 *
 * @example
 * const spawner = new ClaudeSessionSpawner({ env: { ANTHROPIC_BASE_URL: server.url } });
 * const { completion } = await spawner.spawnSession(config);
 * const status = await completion; // status.state, status.tokenUsage, status.metrics
 */
export class ClaudeSessionSpawner extends EventEmitter<SpawnerEvents> {
  readonly #options: FilledSpawnerOptions;
  readonly #active = new Map<string, SessionRun>();
  // Final statuses, oldest first (Map keeps insertion order).
  readonly #history = new Map<string, ClaudeSessionStatus>();
  readonly #guards = new Map<string, AttachedGuard>();
  // EventEmitter's typing cannot follow a generic key through a spread; the event map ties both together.
  readonly #emitter = <K extends keyof SpawnerEvents>(event: K, ...payload: SpawnerEvents[K]): void =>
    void this.emit(event, ...(payload as unknown as never));
  // The config of each known session, kept as long as its status (recovery respawns from it).
  readonly #configs = new Map<string, ClaudeSessionConfig>();
  // Pre-started processes waiting for their first message (not sessions yet).
  readonly #warm = new Map<string, SessionRun>();
  // Waiting approvals, by approval id, to the guard that holds them.
  readonly #approvals = new Map<string, SessionGuard>();

  constructor(options: SpawnerOptions = {}) {
    super();
    this.#options = normalizeSpawnerOptions(options);
  }

  /**
   * Validates the config, writes the session's charter and starts the CLI.
   * Resolves once the process runs; `completion` resolves with the final status.
   * @throws {ConfigError | WorkingDirectoryError | ClaudeBinaryError | StateDirError | SpawnError} before anything is left behind
   */
  async spawnSession(config: ClaudeSessionConfig): Promise<SpawnResult> {
    const run = await launchRun(this.#launchContext(this.#active), config, false);
    this.#configs.set(run.status.sessionId, config);
    return this.#spawned(run);
  }

  /**
   * Starts a CLI process for `template` that waits for its first message, so a later matching
   * request skips the CLI's start-up. Used by the pool's `minIdleSessions`.
   */
  async prewarm(template: ClaudeSessionConfig): Promise<WarmSession> {
    const run = await launchRun(this.#launchContext(this.#warm), template, true);
    const { sessionId } = run.status;
    const isWaiting = (): boolean => this.#warm.has(sessionId) && !run.ended;
    return {
      sessionId,
      get alive() {
        return isWaiting();
      },
      matches: (config) => isWaiting() && warmMatches(template, config),
      activate: (config) => {
        validateSessionConfig(config);
        if (!isWaiting()) throw new SessionNotRunningError(sessionId, 'ended');
        if (!warmMatches(template, config)) throw new ConfigError([{ field: 'config', message: 'does not match the warm session template', value: config.taskContext.taskId }]);
        this.#warm.delete(sessionId);
        this.#active.set(sessionId, run);
        this.#configs.set(sessionId, config);
        run.keepAlive(true);
        this.#guards.get(sessionId)?.channel.keepAlive(true);
        run.activate(warmPrompt(config), deadlinesFor(this.#options, config));
        return this.#spawned(run);
      },
      discard: async () => {
        if (this.#warm.has(sessionId)) await run.terminate(false);
      },
    };
  }

  // A launch registers its run in `registry` (active sessions, or warm processes).
  #launchContext(registry: Map<string, SessionRun>): LaunchContext {
    return {
      options: this.#options,
      approvals: this.#approvals,
      emit: this.#emitter,
      wants: (event) => this.listenerCount(event) > 0,
      register: (sessionId, run, guarded) => {
        this.#guards.set(sessionId, guarded);
        registry.set(sessionId, run);
      },
      unregister: (sessionId) => {
        registry.delete(sessionId);
        this.#guards.delete(sessionId);
      },
      ended: (sessionId, status) => this.#onEnded(sessionId, status),
    };
  }

  #spawned(run: SessionRun): SpawnResult {
    const { sessionId, claudeSessionId } = run.status;
    this.emit('session-spawned', { sessionId, pid: run.status.pid ?? 0, claudeSessionId });
    return { sessionId, status: this.#snapshot(run), completion: run.completion.then((s) => structuredClone(s)) };
  }

  /** Lets a tool call that waits for approval run. Returns false if that approval is not waiting. */
  approve(approvalId: string): boolean {
    return this.#approvals.get(approvalId)?.approve(approvalId) ?? false;
  }

  /** Refuses a tool call that waits for approval; the model sees `reason`. Returns false if it is not waiting. */
  deny(approvalId: string, reason?: string): boolean {
    return this.#approvals.get(approvalId)?.deny(approvalId, reason) ?? false;
  }

  /** Tool calls waiting for a person, over all sessions. */
  getPendingApprovals(): ApprovalRequest[] {
    return [...this.#guards.values()].flatMap((g) => g.guard.pending());
  }

  /** The config a session was started with (while it is active or in history); `undefined` when unknown. */
  getSessionConfig(sessionId: string): ClaudeSessionConfig | undefined {
    return this.#configs.get(sessionId);
  }

  /** A copy of a session's status, active or finished; `null` when unknown. */
  getSessionStatus(sessionId: string): ClaudeSessionStatus | null {
    const run = this.#active.get(sessionId);
    if (run) return this.#snapshot(run);
    const done = this.#history.get(sessionId);
    return done ? structuredClone(done) : null;
  }

  /** Copies of the statuses of sessions that have not ended. */
  getActiveSessions(): ClaudeSessionStatus[] {
    return [...this.#active.values()].map((run) => this.#snapshot(run));
  }

  /**
   * Stops a session: SIGTERM to its process group, SIGKILL after `killGraceMs` (or at once when
   * `graceful` is false), then every process it started. Resolves when it has ended.
   * @throws {SessionNotFoundError} for an unknown id
   */
  async terminateSession(sessionId: string, graceful = true): Promise<void> {
    const run = this.#active.get(sessionId);
    if (run) {
      await run.terminate(graceful);
      return;
    }
    if (!this.#history.has(sessionId)) throw new SessionNotFoundError(sessionId);
  }

  /**
   * Sends a follow-up user message to a running session (a stream-json user message on stdin).
   * @throws {SessionNotFoundError | SessionNotRunningError}
   */
  sendInput(sessionId: string, text: string): void {
    const run = this.#active.get(sessionId);
    if (!run || !run.acceptsInput) {
      const state = run?.status.state ?? this.#history.get(sessionId)?.state;
      if (state === undefined) throw new SessionNotFoundError(sessionId);
      throw new SessionNotRunningError(sessionId, run ? 'ending' : state);
    }
    run.sendInput(text);
  }

  /** Totals over active and finished sessions, each counted once. */
  getMetricsSummary(): SessionMetricsSummary {
    return summarize(this.getActiveSessions(), [...this.#history.values()]);
  }

  /** Evidence for every finished session that ended `crashed`. */
  getCrashReports(): SessionCrashReport[] {
    return [...this.#history.values()].filter((s) => s.state === 'crashed').map(toCrashReport);
  }

  /**
   * Forgets finished sessions. Their files stay on disk, and so do their workspaces: only the session's own end
   * (as `keep` says) and `pruneWorkspaces` remove one, and only when it is safe. Returns how many were forgotten.
   */
  cleanupCompletedSessions(): number {
    const count = this.#history.size;
    for (const id of this.#history.keys()) this.#configs.delete(id);
    this.#history.clear();
    return count;
  }

  #snapshot(run: SessionRun): ClaudeSessionStatus {
    if (!run.ended) run.refreshFromMetrics();
    return structuredClone(run.status);
  }

  #onEnded(sessionId: string, status: ClaudeSessionStatus): void {
    untrackLiveSession(sessionId);
    const guarded = this.#guards.get(sessionId);
    this.#guards.delete(sessionId);
    guarded?.guard.denyAll('The session ended.');
    void guarded?.channel.close();
    // A warm process that ended before it was used never became a session: no history, no event.
    if (this.#warm.delete(sessionId)) return;
    this.#active.delete(sessionId);
    this.#history.set(sessionId, status);
    for (const id of this.#history.keys()) {
      if (this.#history.size <= this.#options.maxHistory) break;
      this.#history.delete(id);
      this.#configs.delete(id);
    }
    if (this.listenerCount('session-ended') > 0) this.emit('session-ended', { sessionId, status: structuredClone(status) });
  }
}
