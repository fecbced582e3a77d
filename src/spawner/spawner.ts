import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { constants } from 'node:fs';
import { access, copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildPrompt, buildResumePrompt } from '../charter/prompt.js';
import { renderCharter, renderCharterRules } from '../charter/render.js';
import { validateSessionConfig } from '../charter/schema.js';
import { cliToolsFor } from '../charter/tools.js';
import { ConfigError, SessionNotFoundError, SessionNotRunningError, StateDirError, WorkingDirectoryError } from '../session/errors.js';
import { attachGuard, type AttachedGuard } from './guard-attach.js';
import type { ApprovalRequest, SessionGuard } from '../guard/session-guard.js';
import { bwrapArgs, SANDBOX_RUN_DIR } from '../sandbox/bwrap-args.js';
import { isWithin, planSandbox } from '../sandbox/layout.js';
import { sandboxSupport, type SandboxSupport } from '../sandbox/probe.js';
import { redactText } from '../utils/redact.js';
import { buildClaudeArgs } from './args.js';
import { preparePerSessionConfigDir } from './config-dir.js';
import { wallClockMs, type DeadlineSettings } from './deadlines.js';
import { buildSessionEnv, secretValues } from './env.js';
import { trackLiveSession, untrackLiveSession } from './exit-cleanup.js';
import { emptyMetrics, emptyTokenUsage } from './metrics.js';
import { normalizeSpawnerOptions, type FilledSpawnerOptions, type SpawnerOptions } from './options.js';
import { checkInterpreter, resolveClaudePath } from './resolve-claude.js';
import { SessionRun } from './session.js';
import { toCrashReport } from './crash-report.js';
import { summarize } from './summary.js';
import { warmMatches, warmPrompt, type WarmSession } from './warm.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus, SessionCrashReport, SessionMetricsSummary, SpawnResult } from '../session/types.js';
import type { SpawnerEvents } from './types.js';

/** The program that runs the CLI, and the arguments before the CLI's own (bwrap and its options). */
interface Invocation {
  command: string;
  prefix: string[];
}

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
    const run = await this.#launch(config, false);
    this.#configs.set(run.status.sessionId, config);
    return this.#spawned(run);
  }

  /**
   * Starts a CLI process for `template` that waits for its first message, so a later matching
   * request skips the CLI's start-up. Used by the pool's `minIdleSessions`.
   */
  async prewarm(template: ClaudeSessionConfig): Promise<WarmSession> {
    const run = await this.#launch(template, true);
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
        run.activate(warmPrompt(config), this.#deadlinesFor(config));
        return this.#spawned(run);
      },
      discard: async () => {
        if (this.#warm.has(sessionId)) await run.terminate(false);
      },
    };
  }

  // Validates, prepares the session folder, charter and guard, and starts the CLI.
  async #launch(config: ClaudeSessionConfig, warm: boolean): Promise<SessionRun> {
    validateSessionConfig(config);
    const cwd = resolve(config.workingDirectory);
    const isDir = await stat(cwd).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new WorkingDirectoryError(config.workingDirectory);
    const command = resolveClaudePath(this.#options.claudePath);
    const stateDir = resolve(this.#options.stateDir ?? join(cwd, '.vp-daemon'));
    const sandboxed = (config.isolation ?? config.charter.isolation ?? this.#options.isolation) === 'sandbox';
    // Before anything is written: a machine that cannot sandbox refuses the session, it never runs it unprotected.
    const support = sandboxed ? await sandboxSupport(this.#options.sandbox.bwrapPath) : undefined;
    if (sandboxed) await checkInterpreter(command, process.env['PATH']);
    if (sandboxed && isWithin(cwd, stateDir)) {
      throw new ConfigError([{ field: 'workingDirectory', message: 'must not be inside the state folder when sessions are sandboxed', value: cwd }]);
    }
    await mkdir(join(stateDir, 'sessions'), { recursive: true })
      .then(() => access(join(stateDir, 'sessions'), constants.W_OK))
      .catch((cause: unknown) => {
        throw new StateDirError(stateDir, { cause });
      });

    const sessionId = `claude-session-${randomUUID()}`;
    const claudeSessionId = config.resumeClaudeSessionId ?? randomUUID();
    const dir = join(stateDir, 'sessions', sessionId);
    const files = { dir, charter: join(dir, 'CLAUDE.md'), stdout: join(dir, 'stdout.jsonl'), stderr: join(dir, 'stderr.log') };
    const registry = warm ? this.#warm : this.#active;
    let guarded: AttachedGuard | undefined;
    let run: SessionRun | undefined;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const env = this.#sessionEnv(sessionId, config);
      if (this.#options.claudeConfigDir === 'per-session' || sandboxed) {
        env['CLAUDE_CONFIG_DIR'] = await preparePerSessionConfigDir({
          sessionDir: dir,
          stateDir,
          source: env['CLAUDE_CONFIG_DIR'],
          isolated: sandboxed,
          resumeClaudeSessionId: config.resumeClaudeSessionId,
        });
      }
      const charter = warm ? renderCharterRules(sessionId, config.charter) : renderCharter(sessionId, config);
      await writeFile(files.charter, redactText(charter, secretValues(env)), { mode: 0o600 });
      guarded = await attachGuard({
        sessionId,
        charter: config.charter,
        dir,
        charterFile: files.charter,
        sandboxed,
        secrets: secretValues(env),
        approvalTimeoutMs: this.#options.approvalTimeoutMs,
        approvals: this.#approvals,
        runOf: () => run,
        emit: this.#emitter,
      });
      let invocation: Invocation = { command, prefix: [] };
      if (support && guarded.runDir !== undefined) {
        invocation = await this.#sandboxed(support, { command, cwd, stateDir, env, runDir: guarded.runDir, socketDir: guarded.channel.socketDir });
      } else {
        this.#options.logger.warn({ sessionId }, "isolation 'none': this session runs unsandboxed, with the daemon's user rights");
      }
      run = this.#createRun(config, { sessionId, claudeSessionId, cwd, invocation, files, env, guarded });
      this.#guards.set(sessionId, guarded);
      registry.set(sessionId, run);
      await run.start(warm);
      if (warm) {
        run.keepAlive(false);
        guarded.channel.keepAlive(false);
      }
    } catch (error) {
      registry.delete(sessionId);
      this.#guards.delete(sessionId);
      await guarded?.channel.close();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    if (run.status.pid !== undefined) trackLiveSession(sessionId, run.status.pid);
    const started = run;
    void started.completion.then((status) => this.#onEnded(sessionId, status));
    return started;
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

  /** Forgets finished sessions (their files stay on disk). Returns how many were removed. */
  cleanupCompletedSessions(): number {
    const count = this.#history.size;
    for (const id of this.#history.keys()) this.#configs.delete(id);
    this.#history.clear();
    return count;
  }

  // Wraps the CLI in bubblewrap: the plan is read off the machine, the exec guard preloaded into every program.
  async #sandboxed(
    support: SandboxSupport,
    input: { command: string; cwd: string; stateDir: string; env: Record<string, string>; runDir: string; socketDir: string },
  ): Promise<Invocation> {
    const { env } = input;
    const home = env['HOME'] ?? homedir();
    env['HOME'] = home;
    await copyFile(support.execGuardPath, join(input.runDir, 'exec-guard.so'));
    const plan = await planSandbox({
      workDir: input.cwd,
      stateDir: input.stateDir,
      home,
      configDir: env['CLAUDE_CONFIG_DIR'] ?? '',
      runDir: input.runDir,
      socketDir: input.socketDir,
      command: input.command,
      pathEnv: env['PATH'] ?? '',
      readOnly: this.#options.sandbox.readOnlyPaths,
      env: { LD_PRELOAD: `${SANDBOX_RUN_DIR}/exec-guard.so` },
    });
    return { command: support.bwrapPath, prefix: [...bwrapArgs(plan), '--', input.command] };
  }

  #createRun(
    config: ClaudeSessionConfig,
    ids: {
      sessionId: string;
      claudeSessionId: string;
      cwd: string;
      invocation: Invocation;
      files: ClaudeSessionStatus['files'];
      env: Record<string, string>;
      guarded: AttachedGuard;
    },
  ): SessionRun {
    const o = this.#options;
    const { env } = ids;
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
      command: ids.invocation.command,
      args: [...ids.invocation.prefix, ...buildClaudeArgs({
        claudeSessionId: ids.claudeSessionId,
        resume: config.resumeClaudeSessionId !== undefined,
        charterFile: ids.guarded.charterPath,
        permissionMode: o.permissionMode,
        allowedTools: cliToolsFor(config.charter.resources.allowedTools),
        model: config.model,
        maxTurns: config.maxTurns,
        maxBudgetUsd: config.charter.resources.maxCostUsd,
        settings: ids.guarded.settings,
        extraArgs: o.extraArgs,
      })],
      cwd: ids.cwd,
      env,
      prompt: config.resumeClaudeSessionId === undefined ? buildPrompt(config) : buildResumePrompt(config),
      deadlines: this.#deadlinesFor(config),
      killGraceMs: o.killGraceMs,
      tailBytes: o.outputTailBytes,
      maxTokens: config.charter.resources.maxTokens,
      maxCostUsd: config.charter.resources.maxCostUsd,
      secrets: secretValues(env),
      sandboxed: ids.invocation.prefix.length > 0,
      logger: o.logger,
      emit: this.#emitter,
      wants: (event) => this.listenerCount(event) > 0,
    });
  }

  #deadlinesFor(config: ClaudeSessionConfig): DeadlineSettings {
    return {
      startupMs: config.startupTimeoutMs ?? this.#options.startupTimeoutMs,
      idleMs: config.idleTimeoutMs ?? this.#options.idleTimeoutMs,
      wallMs: wallClockMs(config.timeout, config.charter.resources.maxExecutionTime),
    };
  }

  #sessionEnv(sessionId: string, config: ClaudeSessionConfig): Record<string, string> {
    const o = this.#options;
    return buildSessionEnv({ base: process.env, inherit: o.inheritEnv, spawnerEnv: o.env, sessionEnv: config.environmentVariables, sessionId });
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
    this.emit('session-ended', { sessionId, status: structuredClone(status) });
  }
}
