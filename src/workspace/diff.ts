import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectFormatOf } from './config.js';
import { isRealDir } from './fs-util.js';
import { git, repoGit, workspaceGit } from './git.js';
import { workspaceDir } from './manifest.js';
import { parseNumstat } from './parse.js';
import { asWorkspaceError } from './prepare.js';
import type { Workspace, WorkspaceDiffTarget } from './types.js';

const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--binary'];

/**
 * The patch of everything the workspace's branch holds beyond its base commit.
 * - For a `Workspace` whose folder still exists: from `baseCommit` to what its tree holds now, uncommitted and
 *   untracked files included (`.gitignore` respected), i.e. what `finalizeWorkspace` would deliver. It is safe while
 *   the session runs: it neither reads the workspace's git folder (the session may have written anything there)
 *   nor writes the workspace; a scratch git folder borrowing the repository's objects does the work.
 * - Otherwise: `git diff <baseCommit> refs/heads/<branch>` in the repository (the delivered branch).
 */
export async function workspaceDiff(target: WorkspaceDiffTarget): Promise<string> {
  if ('path' in target && (await isRealDir(workspaceDir(target)))) return diffOfTree(target);
  const { stdout } = await repoGit(target.repository, ['diff', ...DIFF_FLAGS, target.baseCommit, `refs/heads/${target.branch}`, '--']).catch((error: unknown) => {
    throw asWorkspaceError(error, { path: target.repository }, 'diff the branch of');
  });
  return stdout;
}

/** Lines added and removed, and the paths changed, between the workspace's base commit and its tree now. */
export interface TreeChanges {
  filesChanged: string[];
  insertions: number;
  deletions: number;
}

/** What {@link workspaceDiff} shows of a workspace whose folder exists, as counts; as safe while its session runs. */
export async function workspaceChanges(ws: Workspace): Promise<TreeChanges> {
  return parseNumstat(await diffOfTree(ws, ['--numstat', '-z']));
}

// Against a scratch git folder that borrows the repository's objects: the session's git folder is neither read
// nor written, and no config or attribute of the session's can run a program.
async function diffOfTree(ws: Workspace, format: readonly string[] = []): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'vp-diff-'));
  const view = { gitDir: join(scratch, 'git'), path: ws.path };
  try {
    await git(['init', '--quiet', '--bare', '--template=', `--object-format=${objectFormatOf(ws.baseCommit)}`, view.gitDir]);
    await writeFile(join(view.gitDir, 'objects', 'info', 'alternates'), `${ws.objectsDir}\n`);
    await workspaceGit(view, ['read-tree', ws.baseCommit]);
    await workspaceGit(view, ['add', '--all', '--', ':/']);
    return (await workspaceGit(view, ['diff', '--cached', ...DIFF_FLAGS, ...format, ws.baseCommit, '--'])).stdout;
  } catch (error) {
    throw asWorkspaceError(error, ws, 'diff');
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
