// `vp-daemon workspaces [prune]` and `vp-daemon diff <session>`: read the state folder's workspaces directly,
// so they work with no daemon running; a running session's workspace is left alone (see leaseWorkspace).
import { dirname, resolve } from 'node:path';
import { workspacesRoot } from '../../spawner/workspace-run.js';
import type { WorkspaceStatus } from '../../session/types.js';
import { listWorkspaces, openWorkspace, pruneWorkspaces, reportWorkspaces, workspaceDiff, type WorkspaceDiffTarget } from '../../workspace/index.js';
import { renderTable } from '../table.js';
import { diffstat } from '../../workspace/diffstat.js';
import { DaemonCallError, daemonCall } from './client.js';

type Print = (line: string) => void;

/** `vp-daemon workspaces`: the workspaces kept under the state folder. */
export async function workspacesCommand(stateDir: string, json: boolean, print: Print): Promise<number> {
  const reports = await reportWorkspaces(workspacesRoot(resolve(stateDir)));
  if (json) {
    for (const r of reports) print(JSON.stringify(r));
    return 0;
  }
  if (reports.length === 0) {
    print(`No workspaces under ${workspacesRoot(resolve(stateDir))}`);
    return 0;
  }
  const state = (r: (typeof reports)[number]): string => (r.safety.safe ? 'can be pruned' : r.safety.inUse ? 'in use' : `kept: ${r.safety.reason}`);
  const rows = reports.map((r) => [r.workspace.branch, r.workspace.sessionId ?? '', r.changes ? diffstat(r.changes) : '?', state(r), r.workspace.path]);
  print(renderTable(['branch', 'session', 'changes', 'state', 'path'], rows));
  return 0;
}

/** `vp-daemon workspaces prune`: removes the workspaces whose work their repositories have; branches stay. */
export async function pruneCommand(stateDir: string, json: boolean, print: Print): Promise<number> {
  const { removed, kept } = await pruneWorkspaces(workspacesRoot(resolve(stateDir)));
  if (json) {
    for (const ws of removed) print(JSON.stringify({ removed: ws.path, branch: ws.branch }));
    for (const k of kept) print(JSON.stringify({ kept: k.workspace.path, branch: k.workspace.branch, reason: k.reason }));
    return 0;
  }
  for (const ws of removed) print(`removed ${ws.path} (branch ${ws.branch} is in ${ws.repository})`);
  for (const k of kept) print(`kept    ${k.workspace.path}: ${k.reason}`);
  print(`${removed.length} removed, ${kept.length} kept`);
  return 0;
}

/** `vp-daemon diff <session>`: the session's changes against its base commit, as a patch. */
export async function diffCommand(stateDir: string, sessionId: string, write: (text: string) => void): Promise<number> {
  write(await workspaceDiff(await diffTarget(stateDir, sessionId)));
  return 0;
}

// A workspace made for the session, else the one the daemon recorded for it (a retry's, or one removed since).
async function diffTarget(stateDir: string, sessionId: string): Promise<WorkspaceDiffTarget> {
  const root = workspacesRoot(resolve(stateDir));
  const local = (await listWorkspaces(root)).find((ws) => ws.sessionId === sessionId);
  if (local) return local;
  let recorded: WorkspaceStatus | undefined;
  try {
    const session = (await daemonCall(stateDir, 'GET', `/v1/sessions/${encodeURIComponent(sessionId)}`)) as { workspace?: WorkspaceStatus; status?: { workspace?: WorkspaceStatus } };
    recorded = session.workspace ?? session.status?.workspace;
  } catch (error) {
    if (!(error instanceof DaemonCallError)) throw error;
    throw new DaemonCallError(`No workspace of session ${sessionId} under ${root}, and the daemon could not tell where it was: ${error.message}`);
  }
  if (!recorded) throw new DaemonCallError(`Session ${sessionId} ran without a workspace`);
  const ws = await openWorkspace(dirname(recorded.path)).catch(() => undefined);
  const { repository, baseCommit, branch } = recorded;
  return ws?.branch === branch && ws.repository === repository ? ws : { repository, baseCommit, branch };
}
