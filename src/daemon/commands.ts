// Approve, deny, cancel and terminate as one node carries them out (a fleet relays them to the node that can).
import type { FleetCommand } from '../fleet/control.js';
import type { SessionPool } from '../pool/pool.js';
import type { ClaudeSessionSpawner } from '../spawner/spawner.js';
import type { Recorder } from './recorder.js';

/** Carries `command` out on this node: whether its target (approval, request, session) was here. */
export async function carryOut(command: FleetCommand, here: { spawner: ClaudeSessionSpawner; pool: SessionPool; recorder: Recorder | undefined }): Promise<boolean> {
  const { spawner, pool, recorder } = here;
  switch (command.type) {
    case 'approve':
      return spawner.approve(command.approvalId);
    case 'deny':
      return spawner.deny(command.approvalId, command.reason);
    case 'cancel': {
      const done = pool.cancelRequest(command.requestId, { terminate: command.terminate });
      if (done && !command.terminate) recorder?.updateRequest(command.requestId, { state: 'cancelled' });
      return done;
    }
    case 'terminate':
      if (!spawner.getActiveSessions().some((s) => s.sessionId === command.sessionId)) return false;
      await spawner.terminateSession(command.sessionId, true);
      return true;
  }
}
