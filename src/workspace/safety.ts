import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { ErrorCodes, WorkspaceError, WorkspaceUnsafeError } from '../session/errors.js';
import { repositoryBranch } from './deliver.js';
import { isRealDir } from './fs-util.js';
import { workspaceGit } from './git.js';
import { assertWorkspaceShape, openWorkspace, workspaceDir } from './manifest.js';
import { parsePorcelainPaths } from './parse.js';
import { isAncestor, prepareWorkspace } from './prepare.js';
import { leaseWorkspace, workspaceHolder } from './lease.js';
import type { Workspace, WorkspaceSafety } from './types.js';

/**
 * Whether removing the workspace loses nothing: safe only when no live process holds it (see `leaseWorkspace`), its
 * tree holds no uncommitted change and the repository's branch exists and is at (or contains) the workspace's
 * branch. Sanitizes the workspace first, so call it, like `finalizeWorkspace`, once no session process is alive.
 * Never throws: a failure is a reason.
 */
export async function workspaceSafety(ws: Workspace, options: RemoveOptions = {}): Promise<WorkspaceSafety> {
  try {
    if (!(await isRealDir(workspaceDir(ws)))) return { safe: false, reason: `the workspace folder ${workspaceDir(ws)} does not exist` };
    const holder = await workspaceHolder(ws);
    if (holder && !(holder.pid === process.pid && holder.sessionId === options.holder)) return { safe: false, inUse: true, reason: `it is in use by process ${holder.pid}${holder.sessionId ? ` (session ${holder.sessionId})` : ''}` };
    const head = await prepareWorkspace(ws);
    const status = await workspaceGit(ws, ['status', '--porcelain', '-z', '--untracked-files=all', '--ignore-submodules=all']);
    const dirty = parsePorcelainPaths(status.stdout);
    if (dirty.length > 0) return { safe: false, reason: `${dirty.length} uncommitted change(s) in the tree, e.g. ${dirty.slice(0, 3).join(', ')}` };
    const delivered = await repositoryBranch(ws);
    if (delivered === undefined) return { safe: false, reason: `the repository has no branch ${ws.branch}` };
    if (!(await isAncestor(ws, head, delivered))) return { safe: false, reason: `the repository's branch ${ws.branch} (${delivered}) does not contain the workspace's head ${head}` };
    // A stash, another branch or a tag the session made: work the delivered branch does not hold.
    const refs = await workspaceGit(ws, ['for-each-ref', '--format=%(objectname) %(refname)']);
    for (const line of refs.stdout.split('\n').filter(Boolean)) {
      const [commit = '', ref = ''] = line.split(' ');
      if (ref === `refs/heads/${ws.branch}`) continue;
      if (!(await isAncestor(ws, commit, delivered))) return { safe: false, reason: `${ref} holds work (${commit}) that the branch ${ws.branch} does not` };
    }
    return { safe: true };
  } catch (error) {
    return { safe: false, reason: `it could not be checked: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Options of `removeWorkspace` and `workspaceSafety`. */
export interface RemoveOptions {
  /** Remove even when it is not safe. */
  force?: boolean;
  /** The session of this process that holds the workspace and removes it at its end: its lease does not count. */
  holder?: string;
}

/**
 * Removes the workspace's folder when {@link workspaceSafety} says it is safe (or `force` is set); otherwise throws
 * `ERR_WORKSPACE_UNSAFE` naming why. A folder already gone is fine; one whose manifest is not this workspace's is
 * refused (`ERR_WORKSPACE_MANIFEST`). Never deletes a branch of the repository.
 */
export async function removeWorkspace(ws: Workspace, options: RemoveOptions = {}): Promise<void> {
  assertWorkspaceShape(ws);
  const dir = workspaceDir(ws);
  if (!(await isRealDir(dir))) return;
  const onDisk = await openWorkspace(dir);
  if (onDisk.repository !== ws.repository || onDisk.branch !== ws.branch) {
    throw new WorkspaceError(ErrorCodes.WORKSPACE_MANIFEST, 'workspace.path', dir, `${dir} holds the workspace of ${onDisk.branch} in ${onDisk.repository}, not this one`);
  }
  if (options.force) {
    await rm(dir, { recursive: true, force: true });
    return;
  }
  // Held through the check and the removal, so no session can start in it meanwhile (its holder already holds it).
  let release: (() => Promise<void>) | undefined;
  const holder = options.holder ?? `removal-${process.pid}-${randomBytes(4).toString('hex')}`;
  if (options.holder === undefined) {
    try {
      release = await leaseWorkspace(ws, holder);
    } catch (error) {
      throw new WorkspaceUnsafeError(ws.path, error instanceof Error ? error.message : String(error), { cause: error });
    }
  }
  try {
    const safety = await workspaceSafety(ws, { holder });
    if (!safety.safe) throw new WorkspaceUnsafeError(ws.path, safety.reason);
    await rm(dir, { recursive: true, force: true });
  } catch (error) {
    await release?.();
    throw error;
  }
}
