// At a daemon's start: workspace folders that the previous daemon meant to remove (it was killed between a
// session's delivery and the folder's removal) go now, but only when removal loses nothing.
import type { StoredSession } from '../store/types.js';
import type { Logger } from '../utils/logger.js';
import { pruneWorkspaces, type Workspace } from '../workspace/index.js';

/** The last recorded state of the session that ran in each workspace path (sessions newest first, their summaries). */
export function lastStateByPath(sessions: StoredSession[]): Map<string, string> {
  const states = new Map<string, string>();
  for (const session of sessions) {
    const path = (session.summary as { workspacePath?: unknown } | undefined)?.workspacePath;
    if (typeof path === 'string' && !states.has(path)) states.set(path, session.state);
  }
  return states;
}

/**
 * Whether a workspace left on disk is stale: its keep policy says it should be gone. An `'on-failure'` workspace
 * is stale only when its last session is recorded `completed`; an unknown one is kept, and `'always'` ones stay.
 */
export function isStale(ws: Workspace, lastState: string | undefined): boolean {
  if (ws.keep === 'never') return true;
  return ws.keep === 'on-failure' && lastState === 'completed';
}

/**
 * Removes the stale workspaces under `root` that no interrupted session continues in (`continuing` holds their
 * paths). `sessions`: the newest ones, with their summaries (no statuses needed). A workspace in use, with uncommitted changes or with commits its repository's branch lacks is kept.
 */
export async function removeStaleWorkspaces(root: string, sessions: StoredSession[], continuing: Set<string>, logger: Logger): Promise<void> {
  const states = lastStateByPath(sessions);
  const { removed, kept } = await pruneWorkspaces(root, (ws) => !continuing.has(ws.path) && isStale(ws, states.get(ws.path)));
  for (const ws of removed) logger.info({ workspace: ws.path, branch: ws.branch }, 'removed a stale workspace (its branch is in the repository)');
  for (const { workspace, reason } of kept) logger.warn({ workspace: workspace.path, branch: workspace.branch, reason }, 'kept a stale workspace');
}
