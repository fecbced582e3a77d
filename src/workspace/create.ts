import { mkdir, realpath, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ErrorCodes, WorkspaceError } from '../session/errors.js';
import { git, workspaceGit } from './git.js';
import { GIT_DIR, listWorkspaces, TREE_DIR, writeManifest } from './manifest.js';
import { conflictingBranch, workspaceSlug } from './naming.js';
import { objectFormatOf } from './config.js';
import { assertBranchFree, assertNoOperationInProgress, assertValidBranch, inspectRepository, resolveBaseCommit } from './repository.js';
import { sanitizeGitDir } from './sanitize.js';
import { assertRoomFor, looksOutOfSpace } from './space.js';
import type { CreateWorkspaceOptions, ResolvedSpec, Workspace } from './types.js';

/**
 * Makes a workspace for `spec` under `options.root`: `<root>/<slug>/tree` checked out at the base commit on the new
 * branch, with its own git dir `git/` that borrows the repository's objects (none are copied). The repository is
 * only read. Every check runs before anything is written; on any failure nothing is left behind.
 * Throws `WorkspaceError`: `ERR_WORKSPACE_NOT_A_REPOSITORY`, `ERR_WORKSPACE_MERGE_IN_PROGRESS`, `ERR_WORKSPACE_BASE_REF`,
 * `ERR_WORKSPACE_BRANCH_INVALID`, `ERR_WORKSPACE_BRANCH_EXISTS`, `ERR_WORKSPACE_NO_SPACE`, `ERR_WORKSPACE_CREATE`.
 */
export async function createWorkspace(spec: ResolvedSpec, options: CreateWorkspaceOptions): Promise<Workspace> {
  const { signal } = options;
  const root = resolve(options.root);
  let checked: Checked;
  try {
    signal?.throwIfAborted();
    checked = await check(spec, root, signal);
  } catch (error) {
    if (signal?.aborted) throw createFailed(root, 'creation was aborted', signal.reason);
    throw error;
  }
  const { repository, objectsDir, baseCommit } = checked;
  const dir = await reserveFolder(root, repository, spec.branch);
  const ws = workspaceRecord(dir, spec, { repository, objectsDir, baseCommit }, options);
  try {
    await build(ws, signal);
    return ws;
  } catch (error) {
    const full = await looksOutOfSpace(error, dir);
    await rm(dir, { recursive: true, force: true });
    if (signal?.aborted) throw createFailed(root, 'creation was aborted', signal.reason);
    if (full) throw new WorkspaceError(ErrorCodes.WORKSPACE_NO_SPACE, 'workspace.root', root, `Ran out of space while making a workspace in ${root}`, { cause: error });
    throw createFailed(root, error instanceof Error ? error.message : String(error), error);
  }
}

/** The manifest of a new workspace in the reserved folder `dir`. */
export function workspaceRecord(dir: string, spec: ResolvedSpec, found: Checked, options: { sessionId?: string; taskId?: string }): Workspace {
  return {
    version: 1,
    path: join(dir, TREE_DIR),
    gitDir: join(dir, GIT_DIR),
    ...found,
    branch: spec.branch,
    baseRef: spec.baseRef,
    keep: spec.keep,
    createdAt: new Date().toISOString(),
    ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }),
    ...(options.taskId === undefined ? {} : { taskId: options.taskId }),
  };
}

interface Checked {
  repository: string;
  objectsDir: string;
  baseCommit: string;
}

/**
 * The checks `createWorkspace` makes before it writes anything, on their own: to refuse a request with a bad
 * repository, base ref or branch when it is queued rather than when its session starts. Writes nothing.
 */
export async function checkWorkspace(spec: ResolvedSpec, root: string, signal?: AbortSignal): Promise<void> {
  await check(spec, resolve(root), signal);
}

async function check(spec: ResolvedSpec, root: string, signal: AbortSignal | undefined): Promise<Checked> {
  const { repository, objectsDir, bare } = await inspectRepository(spec.repository, signal);
  if (!bare) await assertNoOperationInProgress(repository, signal);
  const baseCommit = await resolveBaseCommit(repository, spec.baseRef, signal);
  await assertValidBranch(repository, spec.branch, signal);
  await assertBranchFree(repository, spec.branch, signal);
  const taken = (await listWorkspaces(root)).filter((ws) => ws.repository === repository).map((ws) => ws.branch);
  const clash = conflictingBranch(taken, spec.branch);
  if (clash !== undefined) throw branchExists(spec.branch, `is used by another workspace under ${root} (${clash})`);
  await assertRoomFor(repository, baseCommit, root, signal);
  return { repository, objectsDir, baseCommit };
}

/** Makes the git dir and tree of `ws` in its reserved folder, the branch at `start`, then the manifest. */
export async function build(ws: Workspace, signal: AbortSignal | undefined, start = ws.baseCommit): Promise<void> {
  await git(['init', '--quiet', '--bare', '--template=', `--object-format=${objectFormatOf(ws.baseCommit)}`, ws.gitDir], { signal });
  await mkdir(ws.path);
  await sanitizeGitDir(ws);
  await workspaceGit(ws, ['update-ref', '-m', `vp-daemon: workspace at ${ws.baseRef}`, `refs/heads/${ws.branch}`, start], { signal });
  await workspaceGit(ws, ['read-tree', '--reset', '-u', `refs/heads/${ws.branch}`], { signal });
  signal?.throwIfAborted();
  await writeManifest(ws);
}

/** Makes `<root>/<slug>` (not there before: one branch of one repository has one folder) and returns its real path. */
export async function reserveFolder(root: string, repository: string, branch: string): Promise<string> {
  let dir: string;
  try {
    await mkdir(root, { recursive: true });
    dir = join(await realpath(root), workspaceSlug(repository, branch));
  } catch (error) {
    throw createFailed(root, `cannot use ${root} as the workspaces folder`, error);
  }
  try {
    await mkdir(dir);
    return dir;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw branchExists(branch, `has a workspace folder already: ${dir}`);
    throw createFailed(root, `cannot make ${dir}`, error);
  }
}

const branchExists = (branch: string, why: string) =>
  new WorkspaceError(ErrorCodes.WORKSPACE_BRANCH_EXISTS, 'workspace.branch', branch, `Branch ${JSON.stringify(branch)} ${why}`);

export const createFailed = (root: string, why: string, cause: unknown) =>
  new WorkspaceError(ErrorCodes.WORKSPACE_CREATE, 'workspace.root', root, `Could not make a workspace in ${root}: ${why}`, { cause });
