import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderCharter, renderCharterRules } from '../charter/render.js';
import { validateSessionConfig } from '../charter/schema.js';
import type { SessionGuard } from '../guard/session-guard.js';
import { isWithin } from '../sandbox/layout.js';
import { sandboxSupport } from '../sandbox/probe.js';
import { ConfigError, StateDirError, WorkingDirectoryError } from '../session/errors.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';
import { redactText } from '../utils/redact.js';
import { preparePerSessionConfigDir } from './config-dir.js';
import { secretValues } from './env.js';
import { trackLiveSession } from './exit-cleanup.js';
import { attachGuard, type AttachedGuard } from './guard-attach.js';
import { createRun, sessionEnv } from './new-run.js';
import type { FilledSpawnerOptions } from './options.js';
import { checkInterpreter, resolveClaudePath } from './resolve-claude.js';
import { sandboxInvocation, type Invocation } from './sandbox-invocation.js';
import type { SessionRun } from './session.js';
import { StartGate } from './start-gate.js';
import type { SpawnerEvents } from './types.js';
import { deliverSessionWorkspace, openSessionWorkspace, startingStatus } from './workspace-run.js';
import { gitIdentityEnv, removeWorkspace } from '../workspace/index.js';

// One gate for the process: every spawner's starts share the event loop.
const gate = new StartGate();

/** What a launch needs from its spawner. */
export interface LaunchContext {
  options: FilledSpawnerOptions;
  /** Waiting approvals of all sessions, by approval id. */
  approvals: Map<string, SessionGuard>;
  emit: <K extends keyof SpawnerEvents>(event: K, ...payload: SpawnerEvents[K]) => void;
  wants: (event: keyof SpawnerEvents) => boolean;
  /** Makes the run known before its process starts (its guard hook may call in at once). */
  register: (sessionId: string, run: SessionRun, guarded: AttachedGuard) => void;
  /** Forgets a run whose start failed. */
  unregister: (sessionId: string) => void;
  /** Called once with the final status. */
  ended: (sessionId: string, status: ClaudeSessionStatus) => void;
}

/**
 * Validates, prepares the session folder, charter and guard, and starts the CLI. With `warm`, the CLI waits
 * for its first message. Nothing is left behind when it throws.
 */
export async function launchRun(ctx: LaunchContext, config: ClaudeSessionConfig, warm: boolean): Promise<SessionRun> {
  const leave = await gate.enter();
  try {
    validateSessionConfig(config);
    return await launchGated(ctx, config, warm);
  } finally {
    leave();
  }
}

async function launchGated(ctx: LaunchContext, config: ClaudeSessionConfig, warm: boolean): Promise<SessionRun> {
  const o = ctx.options;
  const cwd = resolve(config.workingDirectory);
  const isDir = await stat(cwd).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new WorkingDirectoryError(config.workingDirectory);
  const command = resolveClaudePath(o.claudePath);
  const stateDir = resolve(o.stateDir ?? join(cwd, '.vp-daemon'));
  const sandboxed = (config.isolation ?? config.charter.isolation ?? o.isolation) === 'sandbox';
  // Before anything is written: a machine that cannot sandbox refuses the session, it never runs it unprotected.
  const support = sandboxed ? await sandboxSupport(o.sandbox.bwrapPath) : undefined;
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
  // Its checks are the last before anything of the session is written; a bad repository, ref or branch stops here.
  const opened = await openSessionWorkspace(config, stateDir, sessionId);
  const workspace = opened?.ws;
  const runCwd = workspace?.path ?? cwd;
  const claudeSessionId = config.resumeClaudeSessionId ?? randomUUID();
  const dir = join(stateDir, 'sessions', sessionId);
  const files = { dir, charter: join(dir, 'CLAUDE.md'), stdout: join(dir, 'stdout.jsonl'), stderr: join(dir, 'stderr.log') };
  let guarded: AttachedGuard | undefined;
  let run: SessionRun | undefined;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const env: Record<string, string> = { ...gitIdentityEnv(config.charter.identity), ...sessionEnv(o, sessionId, config) };
    if (o.claudeConfigDir === 'per-session' || sandboxed) {
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
      approvalTimeoutMs: o.approvalTimeoutMs,
      approvals: ctx.approvals,
      runOf: () => run,
      emit: ctx.emit,
    });
    let invocation: Invocation = { command, prefix: [] };
    if (support && guarded.runDir !== undefined) {
      const { runDir } = guarded;
      // A workspace borrows the repository's objects (read-only) and has a git folder of its own (writable).
      const readOnlyPaths = [...(o.sandbox.readOnlyPaths ?? []), ...(workspace ? [workspace.objectsDir] : [])];
      const writablePaths = workspace ? [workspace.gitDir] : [];
      invocation = await sandboxInvocation(support, { command, cwd: runCwd, stateDir, env, runDir, socketDir: guarded.channel.socketDir, readOnlyPaths, writablePaths });
    } else {
      o.logger.warn({ sessionId }, "isolation 'none': this session runs unsandboxed, with the daemon's user rights");
    }
    const deliver = opened && ((status: ClaudeSessionStatus) => deliverSessionWorkspace(opened, status, config.charter.identity, o.logger));
    run = createRun(o, config, { sessionId, claudeSessionId, cwd: runCwd, invocation, files, env, guarded, deliver, emit: ctx.emit, wants: ctx.wants });
    if (workspace) run.status.workspace = startingStatus(workspace);
    ctx.register(sessionId, run, guarded);
    await run.start(warm);
    if (warm) {
      run.keepAlive(false);
      guarded.channel.keepAlive(false);
    }
  } catch (error) {
    ctx.unregister(sessionId);
    await guarded?.channel.close();
    await rm(dir, { recursive: true, force: true });
    // A workspace made for this start holds no work yet; one continued from an earlier attempt stays.
    await opened?.release();
    if (workspace && config.workspace?.path === undefined) await removeWorkspace(workspace, { force: true }).catch(() => undefined);
    throw error;
  }
  if (run.status.pid !== undefined) trackLiveSession(sessionId, run.status.pid);
  void run.completion.then((status) => ctx.ended(sessionId, status));
  return run;
}
