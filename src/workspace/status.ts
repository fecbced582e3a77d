import type { WorkspaceDelivery } from '../session/types.js';
import { workspaceGit } from './git.js';
import { parseNumstat } from './parse.js';
import type { Workspace } from './types.js';

/** What `head` holds beyond the workspace's base commit. */
export async function computeStatus(ws: Workspace, head: string): Promise<WorkspaceDelivery> {
  const count = await workspaceGit(ws, ['rev-list', '--count', `${ws.baseCommit}..${head}`]);
  const numstat = await workspaceGit(ws, ['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', '--ignore-submodules=none', ws.baseCommit, head]);
  return {
    path: ws.path,
    repository: ws.repository,
    branch: ws.branch,
    baseRef: ws.baseRef,
    baseCommit: ws.baseCommit,
    headCommit: head,
    commits: Number(count.stdout.trim()),
    ...parseNumstat(numstat.stdout),
  };
}
