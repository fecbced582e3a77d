import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isRealDir } from './fs-util.js';
import { repoGit, workspaceGit } from './git.js';
import { workspaceDir } from './manifest.js';
import { asWorkspaceError, prepareWorkspace } from './prepare.js';
import type { Workspace, WorkspaceDiffTarget } from './types.js';

const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--binary'];

/**
 * The patch of everything the workspace's branch holds beyond its base commit.
 * - For a `Workspace` whose folder still exists: computed in the workspace, from `baseCommit` to what its tree holds
 *   now, uncommitted and untracked files included (`.gitignore` respected), i.e. what `finalizeWorkspace` delivers.
 *   It sanitizes the workspace like `finalizeWorkspace` does (call it when no session process is alive), commits
 *   nothing and leaves the tree as it was (untracked files are staged in a scratch index only).
 * - Otherwise: `git diff <baseCommit> refs/heads/<branch>` in the repository (the delivered branch).
 */
export async function workspaceDiff(target: WorkspaceDiffTarget): Promise<string> {
  if ('path' in target && (await isRealDir(workspaceDir(target)))) return diffOfTree(target);
  const { stdout } = await repoGit(target.repository, ['diff', ...DIFF_FLAGS, target.baseCommit, `refs/heads/${target.branch}`, '--']).catch((error: unknown) => {
    throw asWorkspaceError(error, { path: target.repository }, 'diff the branch of');
  });
  return stdout;
}

async function diffOfTree(ws: Workspace): Promise<string> {
  const scratchIndex = join(ws.gitDir, `vp-diff-index-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const tip = await prepareWorkspace(ws);
    const env = { GIT_INDEX_FILE: scratchIndex };
    await workspaceGit(ws, ['read-tree', tip], { env });
    await workspaceGit(ws, ['add', '--all', '--', ':/'], { env });
    return (await workspaceGit(ws, ['diff', '--cached', ...DIFF_FLAGS, ws.baseCommit, '--'], { env })).stdout;
  } catch (error) {
    throw asWorkspaceError(error, ws, 'diff');
  } finally {
    await rm(scratchIndex, { force: true });
  }
}
