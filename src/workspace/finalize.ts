import type { WorkspaceDelivery } from '../session/types.js';
import { deliverBranch } from './deliver.js';
import { workspaceGit } from './git.js';
import { gitIdentityEnv } from './identity.js';
import { asWorkspaceError, prepareWorkspace } from './prepare.js';
import { computeStatus } from './status.js';
import type { GitIdentity, Workspace } from './types.js';

/** The message of the commit `finalizeWorkspace` makes of work a session left uncommitted. */
export const LEFTOVER_COMMIT_MESSAGE = 'vp-daemon: uncommitted work at session end';

/**
 * Ends a workspace once no session process is alive in it: sanitizes its git dir, commits whatever the tree holds
 * that the branch does not (tracked or not, `.gitignore` respected) as `identity`, delivers the branch to the
 * repository (also with no change at all, so the user sees it) and tells what it holds. Running it again changes
 * nothing. Throws `WorkspaceError`: `ERR_WORKSPACE_TAMPERED`, `ERR_WORKSPACE_DELIVER`, `ERR_WORKSPACE_GIT`.
 */
export async function finalizeWorkspace(ws: Workspace, identity: GitIdentity): Promise<WorkspaceDelivery> {
  try {
    const tip = await prepareWorkspace(ws);
    const head = await commitLeftovers(ws, tip, identity);
    await deliverBranch(ws, head);
    return await computeStatus(ws, head);
  } catch (error) {
    throw asWorkspaceError(error, ws, 'finalize');
  }
}

/** Commits the tree on top of `tip` when it differs; returns the branch's commit. */
async function commitLeftovers(ws: Workspace, tip: string, identity: GitIdentity): Promise<string> {
  await workspaceGit(ws, ['add', '--all', '--', ':/']);
  const tree = (await workspaceGit(ws, ['write-tree'])).stdout.trim();
  const tipTree = (await workspaceGit(ws, ['rev-parse', `${tip}^{tree}`])).stdout.trim();
  if (tree === tipTree) return tip;
  const env = gitIdentityEnv(identity);
  const commit = (await workspaceGit(ws, ['commit-tree', tree, '-p', tip, '-m', LEFTOVER_COMMIT_MESSAGE], { env })).stdout.trim();
  await workspaceGit(ws, ['update-ref', '-m', LEFTOVER_COMMIT_MESSAGE, `refs/heads/${ws.branch}`, commit, tip]);
  return commit;
}
