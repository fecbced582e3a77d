import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionRun } from '../spawner/session.js';
import type { SpawnerEvents, VPCharter } from '../spawner/types.js';
import { redactValue } from '../utils/redact.js';
import { openGuardChannel, type GuardChannel } from './channel.js';
import { HOOK_SCRIPT, hookSettings } from './hook-script.js';
import { SessionGuard } from './session-guard.js';

/** A session's guard, its private channel, and the `--settings` JSON that installs the hook. */
export interface AttachedGuard {
  guard: SessionGuard;
  channel: GuardChannel;
  settings: string;
}

/**
 * Sets up the PreToolUse guard of one session: the decision logic, the socket the hook talks to, the hook
 * script in the session folder, and the events a spawner reports. `runOf` gives the session once it exists.
 */
export async function attachGuard(input: {
  sessionId: string;
  charter: VPCharter;
  dir: string;
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
  const channel = await openGuardChannel(input.dir, (call) => guard.decide(call));
  const scriptPath = join(input.dir, 'guard-hook.mjs');
  await writeFile(scriptPath, HOOK_SCRIPT, { mode: 0o600 });
  // The CLI must let the hook wait as long as a person may take, and a little more.
  const waitSeconds = Math.ceil(input.approvalTimeoutMs / 1000) + 30;
  return { guard, channel, settings: hookSettings({ nodePath: process.execPath, scriptPath, channelPath: channel.channelPath, waitSeconds }) };
}
