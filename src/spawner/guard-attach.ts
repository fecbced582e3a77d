import { link, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SANDBOX_RUN_DIR } from '../sandbox/bwrap-args.js';
import { execGuardNames, renderExecGuardConfig } from '../sandbox/exec-guard.js';
import type { SessionRun } from './session.js';
import type { SpawnerEvents } from './types.js';
import type { VPCharter } from '../session/types.js';
import { redactValue } from '../utils/redact.js';
import { openGuardChannel, type GuardChannel } from '../guard/channel.js';
import { HOOK_SCRIPT, hookSettings } from '../guard/hook-script.js';
import { SessionGuard } from '../guard/session-guard.js';

/** A session's guard, its private channel, and the `--settings` JSON that installs the hook. */
export interface AttachedGuard {
  guard: SessionGuard;
  channel: GuardChannel;
  settings: string;
  /** The charter file as the CLI sees it (inside the sandbox: read-only under /run/vp-daemon). */
  charterPath: string;
  /** With a sandbox: the host folder shown read-only at /run/vp-daemon (hook, channel, exec guard config, charter). */
  runDir?: string;
}

/**
 * Sets up the PreToolUse guard of one session: the decision logic, the socket the hook talks to, the hook
 * script, and the events a spawner reports. `runOf` gives the session once it exists. With `sandboxed`, the
 * files the hook and the exec guard read are laid out for a read-only mount at /run/vp-daemon, with the paths
 * they have inside the sandbox, so the session can neither rewrite nor redirect them.
 */
export async function attachGuard(input: {
  sessionId: string;
  charter: VPCharter;
  dir: string;
  /** The rendered charter in the session folder. */
  charterFile: string;
  sandboxed: boolean;
  secrets: string[];
  approvalTimeoutMs: number;
  /** Waiting approvals of all sessions, by approval id (the spawner answers `approve`/`deny` from it). */
  approvals: Map<string, SessionGuard>;
  runOf: () => SessionRun | undefined;
  emit: <K extends keyof SpawnerEvents>(event: K, ...payload: SpawnerEvents[K]) => void;
}): Promise<AttachedGuard> {
  const { sessionId, secrets, runOf, emit } = input;
  const guard = new SessionGuard(sessionId, input.charter, input.approvalTimeoutMs, {
    isOverBudget: () => runOf()?.overBudget ?? false,
    approvalRequested: (request) => {
      input.approvals.set(request.approvalId, guard);
      const run = runOf();
      if (run) {
        run.metrics.metrics.approvalPrompts += 1;
        run.waitForPerson();
      }
      const { approvalId, toolName, reason } = request;
      emit('approval-requested', { sessionId, approvalId, toolName, input: redactValue(request.input, secrets), reason });
    },
    approvalSettled: (request, approved, reason) => {
      input.approvals.delete(request.approvalId);
      runOf()?.personAnswered();
      emit('approval-resolved', { sessionId, approvalId: request.approvalId, approved, reason });
    },
    blocked: (call, reason) => emit('tool-blocked', { sessionId, toolName: call.tool_name, input: redactValue(call.tool_input, secrets), reason }),
  });
  // Every tool call the guard decides is noted, so a result for a call it never saw can be caught.
  const channel = await openGuardChannel(
    input.dir,
    guard.channelHandlers((call) => void (call.tool_use_id !== undefined && runOf()?.guardSaw(call.tool_use_id))),
  );
  // The CLI must let the hook wait as long as a person may take, and a little more.
  const waitSeconds = Math.ceil(input.approvalTimeoutMs / 1000) + 30;
  const nodePath = process.execPath;
  if (!input.sandboxed) {
    const scriptPath = join(input.dir, 'guard-hook.mjs');
    await writeFile(scriptPath, HOOK_SCRIPT, { mode: 0o600 });
    return { guard, channel, charterPath: input.charterFile, settings: hookSettings({ nodePath, scriptPath, channelPath: channel.channelPath, waitSeconds }) };
  }
  const runDir = join(input.dir, 'sandbox');
  // `sock/` is where the socket's folder is mounted (a read-only mount cannot get new mount points).
  await mkdir(join(runDir, 'sock'), { recursive: true, mode: 0o700 });
  const socketPath = `${SANDBOX_RUN_DIR}/sock/guard.sock`;
  await writeFile(join(runDir, 'guard-hook.mjs'), HOOK_SCRIPT, { mode: 0o600 });
  await writeFile(join(runDir, 'guard-channel.json'), JSON.stringify({ socket: socketPath, token: channel.token }), { mode: 0o600 });
  const names = execGuardNames(input.charter.constraints);
  await writeFile(join(runDir, 'exec-guard.conf'), renderExecGuardConfig({ socketPath, token: channel.token, names, timeoutMs: input.approvalTimeoutMs + 30_000 }), { mode: 0o600 });
  await link(input.charterFile, join(runDir, 'CLAUDE.md'));
  const settings = hookSettings({
    nodePath,
    scriptPath: `${SANDBOX_RUN_DIR}/guard-hook.mjs`,
    channelPath: `${SANDBOX_RUN_DIR}/guard-channel.json`,
    waitSeconds,
  });
  return { guard, channel, settings, charterPath: `${SANDBOX_RUN_DIR}/CLAUDE.md`, runDir };
}
