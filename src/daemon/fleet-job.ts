// One fleet job on this node: a fenced lease on the request, a takeover when an earlier node left it unfinished (the
// same conversation, restored from the fleet's transcript mirror, in a workspace continued from the branch the
// earlier node pushed), and, while the session runs, the lease checked, the transcript mirrored and the branch
// pushed. Losing the lease stops the session; a write after that carries an old token and is refused.
import { join } from 'node:path';
import type { FleetLease, FleetLedger, FleetRequestRecord } from '../fleet/ledger.js';
import { restoreTranscript } from '../fleet/transcript.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';
import { fetchBranch, workspaceTreePath } from '../workspace/index.js';
import type { FleetJobHost, Resumed } from './fleet-host.js';
import { LeaseKeeper } from './fleet-lease-keeper.js';

export type { FleetJobHost } from './fleet-host.js';

/** How a job ended on this node: settled with a final state, or left for another node. */
export type FleetJobEnd = { kind: 'settled'; state: string; sessionId?: string } | { kind: 'failed'; error: Error } | { kind: 'left'; why: string };

/** States after which a request never runs again (a node recorded one, then died before BullMQ heard it). */
const SETTLED = new Set(['completed', 'failed', 'cancelled', 'terminated']);

/** Runs one request taken from the fleet's queue; `stopping` says this node is shutting down. */
export async function runFleetJob(host: FleetJobHost, requestId: string, config: ClaudeSessionConfig, stopping: () => boolean): Promise<FleetJobEnd> {
  let taken: Awaited<ReturnType<FleetLedger['acquire']>>;
  let resumed: Resumed = {};
  try {
    taken = await host.ledger.acquire(requestId, host.node);
    const { previous } = taken;
    if (previous && SETTLED.has(previous.state)) return { kind: 'settled', state: previous.state, ...(previous.sessionId !== undefined && { sessionId: previous.sessionId }) };
    if (previous?.claudeSessionId !== undefined) resumed = await takeOver(host, requestId, config, previous);
  } catch (error) {
    // Redis or the disk failed before anything ran: another node (or this one, later) tries again.
    host.logger.warn({ requestId, err: error }, 'could not start a fleet request; it goes back to the queue');
    return { kind: 'left', why: 'could not start' };
  }
  const { lease } = taken;
  const job = new LeaseKeeper(host, lease, config, resumed);
  try {
    const status = await new Promise<ClaudeSessionStatus>((resolve, reject) => host.enqueue(config, { allocated: (id) => job.allocated(id), resolve, reject }));
    await job.finish(status);
    if (job.lost) return { kind: 'left', why: job.lost };
    const written = await host.ledger.write(lease, { state: status.state, sessionId: status.sessionId, ...(status.workspace && { headCommit: status.workspace.headCommit }) });
    if (!written) return late(host, lease, `its end (${status.state})`);
    return { kind: 'settled', state: status.state, sessionId: status.sessionId };
  } catch (error) {
    if (job.lost) return { kind: 'left', why: job.lost };
    if (stopping()) {
      // Stopped by this node's shutdown: what the session did last goes to the fleet, for the node that continues.
      await job.finish(undefined).catch(() => undefined);
      return { kind: 'left', why: 'this node is stopping' };
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    const state = (failure as { code?: string }).code === 'ERR_REQUEST_CANCELLED' ? 'cancelled' : 'failed';
    if (!(await host.ledger.write(lease, { state, error: failure.message }))) return late(host, lease, `its end (${state})`);
    return { kind: 'failed', error: failure };
  } finally {
    await job.close();
  }
}

function late(host: FleetJobHost, lease: FleetLease, what: string): FleetJobEnd {
  host.logger.warn({ requestId: lease.requestId, token: lease.token }, `a newer lease holds this request: ${what} was refused`);
  return { kind: 'left', why: 'a newer lease holds the request' };
}

// The previous attempt's conversation and work, made ready here: its workspace continued from what it pushed, its
// transcript where `--resume` reads it.
async function takeOver(host: FleetJobHost, requestId: string, config: ClaudeSessionConfig, previous: FleetRequestRecord): Promise<Resumed> {
  const { claudeSessionId, branch } = previous;
  if (claudeSessionId === undefined) return {};
  let cwd = config.workingDirectory;
  let head: string | undefined;
  if (config.workspace && branch !== undefined) {
    const repository = config.workspace.repository ?? config.workingDirectory;
    head = await fetchBranch(repository, branch, host.remote).catch((error: unknown) => {
      host.logger.warn({ requestId, err: error }, 'could not fetch the work to continue from the fleet remote');
      return undefined;
    });
    // Continued from the fetched work, or made anew at the same place: the session runs there either way.
    const path = await workspaceTreePath(host.workspacesRoot, repository, branch);
    config.workspace = { ...config.workspace, branch, ...(head !== undefined && { path }) };
    cwd = path;
  }
  const transcriptBytes = await restoreTranscript(host.ledger, requestId, claudeSessionId, join(host.stateDir, 'claude-projects'), cwd);
  if (transcriptBytes > 0) config.resumeClaudeSessionId = claudeSessionId;
  host.logger.info({ requestId, from: previous.node, claudeSessionId, resumed: transcriptBytes > 0 }, 'taking a request over from another node');
  return { ...(head !== undefined && { head }), ...(transcriptBytes > 0 && { claudeSessionId, transcriptBytes }) };
}
