// One fleet node in a process of its own (for SIGKILL and SIGSTOP): a VPDaemon started from the JSON options in
// argv[2], taking requests over IPC and reporting its sessions back. SIGTERM stops it cleanly.
import { VPDaemon, type TriageRequest, type VPDaemonOptions } from '../../src/index.js';
import { createLogger } from '../../src/utils/logger.js';

export type NodeMessage =
  | { type: 'ready'; node: string }
  | { type: 'spawned'; sessionId: string; claudeSessionId: string; pid?: number }
  | { type: 'ended'; sessionId: string; state: string; claudeSessionId: string; branch?: string }
  | { type: 'submitted'; id: number; error?: string };

const options = JSON.parse(process.argv[2] ?? '{}') as VPDaemonOptions;
const daemon = new VPDaemon({ ...options, logger: createLogger('info') });
const send = (message: NodeMessage): void => void process.send?.(message);

daemon.spawner.on('session-spawned', ({ sessionId }) => {
  const status = daemon.spawner.getSessionStatus(sessionId);
  send({ type: 'spawned', sessionId, claudeSessionId: status?.claudeSessionId ?? '', ...(status?.pid !== undefined && { pid: status.pid }) });
});
daemon.spawner.on('session-ended', ({ sessionId, status }) => {
  send({ type: 'ended', sessionId, state: status.state, claudeSessionId: status.claudeSessionId, ...(status.workspace && { branch: status.workspace.branch }) });
});
process.on('message', (message: { id: number; request: TriageRequest }) => {
  daemon.handleTriageRequest(message.request).then(
    () => send({ type: 'submitted', id: message.id }),
    (error: Error) => send({ type: 'submitted', id: message.id, error: error.message }),
  );
});
process.once('SIGTERM', () => {
  void daemon.stop(5000).finally(() => process.exit(0));
});
await daemon.start();
send({ type: 'ready', node: 'started' });
