// Before the supervisor reads or commits a workspace: sanitize it, settle which commit its branch is at, and
// rebuild its index from that commit (the session's index is not trusted: it could name paths outside the tree).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, WorkspaceError } from '../session/errors.js';
import { GitCommandError, workspaceGit } from './git.js';
import { sanitizeGitDir, type PreviousHead } from './sanitize.js';
import type { Workspace } from './types.js';

const branchRef = (ws: Pick<Workspace, 'branch'>): string => `refs/heads/${ws.branch}`;

/** The commit `rev` names in the workspace, or undefined. */
export async function workspaceCommit(ws: Workspace, rev: string): Promise<string | undefined> {
  const { stdout, exitCode } = await workspaceGit(ws, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { okExitCodes: [0, 1, 128] });
  return exitCode === 0 ? stdout.trim() : undefined;
}

/** True when `ancestor` is `descendant` or one of its ancestors (both known to the workspace). */
export async function isAncestor(ws: Workspace, ancestor: string, descendant: string): Promise<boolean> {
  const { exitCode } = await workspaceGit(ws, ['merge-base', '--is-ancestor', ancestor, descendant], { okExitCodes: [0, 1, 128] });
  return exitCode === 0;
}

/** Wraps a failed git command of a workspace operation in `ERR_WORKSPACE_GIT`; passes our own errors through. */
export function asWorkspaceError(error: unknown, ws: Pick<Workspace, 'path'>, what: string): unknown {
  if (error instanceof GitCommandError) return new WorkspaceError(ErrorCodes.WORKSPACE_GIT, 'workspace.path', ws.path, `Could not ${what} ${ws.path}: ${error.message}`, { cause: error });
  return error;
}

/**
 * Sanitizes `ws` and returns the commit its branch is at. A session that left HEAD on another branch or a
 * detached commit descending from the branch has the branch moved there (its commits are kept); a branch the
 * session deleted starts again at `baseCommit`. The index is rebuilt from that commit; the tree is not touched.
 */
export async function prepareWorkspace(ws: Workspace): Promise<string> {
  const previous = await sanitizeGitDir(ws);
  let tip = await workspaceCommit(ws, branchRef(ws));
  const adopted = await adoptableHead(ws, previous, tip ?? ws.baseCommit);
  if (adopted !== undefined && adopted !== tip) {
    await workspaceGit(ws, ['update-ref', '-m', 'vp-daemon: branch moved to where the session left HEAD', branchRef(ws), adopted]);
    tip = adopted;
  } else if (tip === undefined) {
    await workspaceGit(ws, ['update-ref', '-m', 'vp-daemon: branch restored at its base', branchRef(ws), ws.baseCommit]);
    tip = ws.baseCommit;
  }
  await rm(join(ws.gitDir, 'index'), { force: true });
  await workspaceGit(ws, ['read-tree', branchRef(ws)]);
  return tip;
}

async function adoptableHead(ws: Workspace, previous: PreviousHead, from: string): Promise<string | undefined> {
  if (previous === undefined || ('ref' in previous && previous.ref === branchRef(ws))) return undefined;
  const commit = await workspaceCommit(ws, 'ref' in previous ? previous.ref : previous.commit);
  return commit !== undefined && (await isAncestor(ws, from, commit)) ? commit : undefined;
}
