import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { constants } from 'node:fs';
import { access, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildPrompt } from '../charter/prompt.js';
import { renderCharter } from '../charter/render.js';
import { validateSessionConfig } from '../charter/schema.js';
import { cliToolsFor } from '../charter/tools.js';
import { SessionNotFoundError, SessionNotRunningError, StateDirError, WorkingDirectoryError } from '../errors.js';
import { buildClaudeArgs } from './args.js';
import { wallClockMs } from './deadlines.js';
import { buildSessionEnv, secretValues } from './env.js';
import { trackLiveSession, untrackLiveSession } from './exit-cleanup.js';
import { emptyMetrics, emptyTokenUsage } from './metrics.js';
import { normalizeSpawnerOptions, type FilledSpawnerOptions, type SpawnerOptions } from './options.js';
import { resolveClaudePath } from './resolve-claude.js';
import { SessionRun } from './session.js';
import { summarize } from './summary.js';
import type {
  ClaudeSessionConfig,
  ClaudeSessionStatus,
  SessionCrashReport,
  SessionMetricsSummary,
  SpawnerEvents,
  SpawnResult,
} from './types.js';

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
    validateSessionConfig(config);
    const cwd = resolve(config.workingDirectory);
    const isDir = await stat(cwd).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new WorkingDirectoryError(config.workingDirectory);
    const command = resolveClaudePath(this.#options.claudePath);
    const stateDir = resolve(this.#options.stateDir ?? join(cwd, '.vp-daemon'));
    await mkdir(join(stateDir, 'sessions'), { recursive: true })
      .then(() => access(join(stateDir, 'sessions'), constants.W_OK))
      .catch((cause: unknown) => {
        throw new StateDirError(stateDir, { cause });
      });

    const sessionId = `claude-session-${randomUUID()}`;
    const claudeSessionId = config.resumeClaudeSessionId ?? randomUUID();
    const dir = join(stateDir, 'sessions', sessionId);
    const files = { dir, charter: join(dir, 'CLAUDE.md'), stdout: join(dir, 'stdout.jsonl'), stderr: join(dir, 'stderr.log') };
    const run = this.#createRun(config, { sessionId, claudeSessionId, cwd, command, files });
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(files.charter, renderCharter(sessionId, config), { mode: 0o600 });
      this.#active.set(sessionId, run);
      await run.start();
    } catch (error) {
      this.#active.delete(sessionId);
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    trackLiveSession(sessionId, run.status.pid ?? 0);
    void run.completion.then((status) => this.#onEnded(sessionId, status));
    this.emit('session-spawned', { sessionId, pid: run.status.pid ?? 0, claudeSessionId });
    return { sessionId, status: this.#snapshot(run), completion: run.completion.then((s) => structuredClone(s)) };
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
    if (!run || run.ended) {
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
    return [...this.#history.values()]
      .filter((s) => s.state === 'crashed')
      .map((s) => ({
        sessionId: s.sessionId,
        timestamp: s.endTime ?? s.startTime,
        signal: s.signal ?? undefined,
        exitCode: s.exitCode ?? undefined,
        lastState: s.state,
        lastOutput: s.stdout.slice(-4000),
        stderrTail: s.stderr.slice(-4000),
        outcome: s.outcome,
        stackTrace: s.errorMessage,
      }));
  }

  /** Forgets finished sessions (their files stay on disk). Returns how many were removed. */
  cleanupCompletedSessions(): number {
    const count = this.#history.size;
    this.#history.clear();
    return count;
  }

  #createRun(
    config: ClaudeSessionConfig,
    ids: { sessionId: string; claudeSessionId: string; cwd: string; command: string; files: ClaudeSessionStatus['files'] },
  ): SessionRun {
    const o = this.#options;
    const env = buildSessionEnv({
      base: process.env,
      inherit: o.inheritEnv,
      spawnerEnv: o.env,
      sessionEnv: config.environmentVariables,
      sessionId: ids.sessionId,
    });
    const status: ClaudeSessionStatus = {
      sessionId: ids.sessionId,
      claudeSessionId: ids.claudeSessionId,
      state: 'initializing',
      startTime: new Date(),
      stdout: '',
      stderr: '',
      tokenUsage: emptyTokenUsage(),
      costUsd: 0,
      metrics: emptyMetrics(),
      modifiedFiles: [],
      files: ids.files,
    };
    return new SessionRun({
      status,
      command: ids.command,
      args: buildClaudeArgs({
        claudeSessionId: ids.claudeSessionId,
        resume: config.resumeClaudeSessionId !== undefined,
        charterFile: ids.files.charter,
        permissionMode: o.permissionMode,
        allowedTools: cliToolsFor(config.charter.resources.allowedTools),
        model: config.model,
        maxTurns: config.maxTurns,
        extraArgs: o.extraArgs,
      }),
      cwd: ids.cwd,
      env,
      prompt: buildPrompt(config),
      deadlines: {
        startupMs: config.startupTimeoutMs ?? o.startupTimeoutMs,
        idleMs: config.idleTimeoutMs ?? o.idleTimeoutMs,
        wallMs: wallClockMs(config.timeout, config.charter.resources.maxExecutionTime),
      },
      killGraceMs: o.killGraceMs,
      tailBytes: o.outputTailBytes,
      secrets: secretValues(env),
      logger: o.logger,
      // EventEmitter's typing cannot follow a generic key through a spread; the map ties both together.
      emit: (event, ...payload) => this.emit(event, ...(payload as unknown as never)),
      wants: (event) => this.listenerCount(event) > 0,
    });
  }

  #snapshot(run: SessionRun): ClaudeSessionStatus {
    if (!run.ended) run.refreshFromMetrics();
    return structuredClone(run.status);
  }

  #onEnded(sessionId: string, status: ClaudeSessionStatus): void {
    untrackLiveSession(sessionId);
    this.#active.delete(sessionId);
    this.#history.set(sessionId, status);
    for (const id of this.#history.keys()) {
      if (this.#history.size <= this.#options.maxHistory) break;
      this.#history.delete(id);
    }
    this.emit('session-ended', { sessionId, status: structuredClone(status) });
  }
}
