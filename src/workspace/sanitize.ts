// Puts a workspace's git dir back into the state this module made, before the supervisor runs git on it.
// The session could have planted hooks, config (fsmonitor, filters, hooksPath, include.path, ...), a commondir,
// config.worktree, attributes, grafts, alternates, or links out of the folder. This is a guarantee only because no
// session process is alive when it runs (the caller ensures that): a live one could write again right after.
import { copyFile, lstat, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCodes, WorkspaceError } from '../session/errors.js';
import { objectFormatOf, renderGitConfig } from './config.js';
import { ensureRealDir, isRealDir, removeNonRegular, writeFileAtomic } from './fs-util.js';
import { assertWorkspaceShape, workspaceDir } from './manifest.js';
import { parseHeadFile } from './parse.js';
import type { Workspace } from './types.js';

/** Files of a git dir that change where git looks, what it reads or what it runs; deleted. */
const REMOVED = ['commondir', 'config.worktree', 'gitdir', 'info/attributes', 'info/grafts', 'objects/info/http-alternates'];
/** Locks a killed session may have left; git refuses to run while they exist. */
const LOCKS = ['index.lock', 'HEAD.lock', 'config.lock', 'packed-refs.lock', 'shallow.lock'];
const HEAD_MAX_BYTES = 1024;

export type SanitizeTarget = Pick<Workspace, 'path' | 'gitDir' | 'objectsDir' | 'branch' | 'baseCommit'>;

/** What HEAD named before it was reset to the workspace's branch (undefined: nothing usable). */
export type PreviousHead = ReturnType<typeof parseHeadFile>;

async function readPreviousHead(gitDir: string): Promise<PreviousHead> {
  const head = join(gitDir, 'HEAD');
  const info = await lstat(head).catch(() => undefined);
  if (!info?.isFile() || info.size > HEAD_MAX_BYTES) return undefined;
  return parseHeadFile(await readFile(head, 'utf8'));
}

/**
 * Rewrites `config`, `HEAD` (to `refs/heads/<branch>`), `objects/info/alternates`, `shallow` and `tree/.git` with
 * their known content, empties `hooks/`, deletes the files of {@link REMOVED}, stale locks and every link or special
 * file in the git dir.
 * `ERR_WORKSPACE_TAMPERED` when the workspace folder, `tree/` or `git/` is not a real directory.
 */
export async function sanitizeGitDir(ws: SanitizeTarget): Promise<PreviousHead> {
  assertWorkspaceShape(ws);
  for (const dir of [workspaceDir(ws), ws.path, ws.gitDir]) {
    if (!(await isRealDir(dir))) {
      throw new WorkspaceError(ErrorCodes.WORKSPACE_TAMPERED, 'workspace.path', ws.path, `Workspace ${workspaceDir(ws)} was tampered with: ${dir} is not a directory`);
    }
  }
  const { gitDir } = ws;
  const previous = await readPreviousHead(gitDir);
  await removeNonRegular(gitDir);
  for (const name of [...REMOVED, ...LOCKS, `refs/heads/${ws.branch}.lock`]) await rm(join(gitDir, name), { force: true, recursive: true });
  await rm(join(gitDir, 'hooks'), { force: true, recursive: true });
  for (const dir of ['hooks', 'objects', 'objects/info', 'refs', 'refs/heads', 'refs/tags']) await ensureRealDir(join(gitDir, dir));
  await writeFileAtomic(join(gitDir, 'config'), renderGitConfig(objectFormatOf(ws.baseCommit)));
  await writeFileAtomic(join(gitDir, 'HEAD'), `ref: refs/heads/${ws.branch}\n`);
  await writeFileAtomic(join(gitDir, 'objects/info/alternates'), `${ws.objectsDir}\n`);
  await syncShallow(ws);
  await rm(join(ws.path, '.git'), { force: true, recursive: true });
  await writeFileAtomic(join(ws.path, '.git'), `gitdir: ${gitDir}\n`);
  return previous;
}

/** A shallow repository's `shallow` file is copied, so history walks stop where the repository's do. */
async function syncShallow(ws: SanitizeTarget): Promise<void> {
  const mine = join(ws.gitDir, 'shallow');
  const theirs = join(dirname(ws.objectsDir), 'shallow');
  await rm(mine, { force: true, recursive: true });
  if ((await lstat(theirs).catch(() => undefined))?.isFile()) await copyFile(theirs, mine);
}
