// Read-only questions about the SOURCE repository, asked before a workspace is made. Nothing here writes to it.
import { access, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCodes, WorkspaceError } from '../session/errors.js';
import { repoGit } from './git.js';
import { conflictingBranch, plainBranchName } from './naming.js';

/** What a workspace needs to know of its repository. */
export interface RepositoryInfo {
  /** Top-level folder (the git folder when bare), real path. */
  repository: string;
  /** Object folder (the common one for a linked worktree), real path. */
  objectsDir: string;
  bare: boolean;
}

const notARepository = (value: string, why: string, cause?: unknown) =>
  new WorkspaceError(ErrorCodes.WORKSPACE_NOT_A_REPOSITORY, 'workspace.repository', value, `Not a git repository: ${value} (${why})`, { cause });

/** Finds the repository `dir` is in; `ERR_WORKSPACE_NOT_A_REPOSITORY` when there is none. */
export async function inspectRepository(dir: string, signal?: AbortSignal): Promise<RepositoryInfo> {
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw notARepository(dir, 'no such folder');
  let lines: string[];
  try {
    const { stdout } = await repoGit(dir, ['rev-parse', '--is-bare-repository', '--is-inside-work-tree', '--absolute-git-dir', '--git-path', 'objects'], { signal });
    lines = stdout.split('\n');
  } catch (error) {
    throw notARepository(dir, 'git rev-parse failed', error);
  }
  const [bare, inWorkTree, gitDir = '', objects = ''] = lines;
  if (bare !== 'true' && inWorkTree !== 'true') throw notARepository(dir, 'inside a git folder; name its working tree');
  const top = bare === 'true' ? gitDir : (await repoGit(dir, ['rev-parse', '--show-toplevel'], { signal })).stdout.trim();
  return { repository: await realpath(top), objectsDir: await realpath(resolve(dir, objects)), bare: bare === 'true' };
}

/** The commit `baseRef` names; `ERR_WORKSPACE_BASE_REF` when it names none. */
export async function resolveBaseCommit(repository: string, baseRef: string, signal?: AbortSignal): Promise<string> {
  const { stdout, exitCode } = await repoGit(repository, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${baseRef}^{commit}`], { signal, okExitCodes: [0, 1, 128] });
  const commit = stdout.trim();
  if (exitCode !== 0 || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) {
    throw new WorkspaceError(ErrorCodes.WORKSPACE_BASE_REF, 'workspace.baseRef', baseRef, `Base ref ${JSON.stringify(baseRef)} names no commit in ${repository}`);
  }
  return commit;
}

const OPERATIONS: [string, string][] = [
  ['MERGE_HEAD', 'a merge'],
  ['CHERRY_PICK_HEAD', 'a cherry-pick'],
  ['REVERT_HEAD', 'a revert'],
  ['rebase-merge', 'a rebase'],
  ['rebase-apply', 'a rebase or am'],
];

/** `ERR_WORKSPACE_MERGE_IN_PROGRESS` when a merge, rebase, cherry-pick or revert is under way in the repository. */
export async function assertNoOperationInProgress(repository: string, signal?: AbortSignal): Promise<void> {
  const args = OPERATIONS.flatMap(([name]) => ['--git-path', name]);
  const paths = (await repoGit(repository, ['rev-parse', ...args], { signal })).stdout.split('\n');
  for (const [i, [, what]] of OPERATIONS.entries()) {
    const path = paths[i];
    if (path && (await access(resolve(repository, path)).then(() => true, () => false))) {
      throw new WorkspaceError(ErrorCodes.WORKSPACE_MERGE_IN_PROGRESS, 'workspace.repository', repository, `${repository} has ${what} in progress; finish or abort it first`);
    }
  }
}

/** `ERR_WORKSPACE_BRANCH_INVALID` unless git accepts `branch` as a new branch name. */
export async function assertValidBranch(repository: string, branch: string, signal?: AbortSignal): Promise<void> {
  const invalid = (cause?: unknown) =>
    new WorkspaceError(ErrorCodes.WORKSPACE_BRANCH_INVALID, 'workspace.branch', branch, `Not a valid branch name: ${JSON.stringify(branch)}`, { cause });
  if (!plainBranchName(branch)) throw invalid();
  const { stdout, exitCode } = await repoGit(repository, ['check-ref-format', '--branch', branch], { signal, okExitCodes: [0, 1, 128] });
  if (exitCode !== 0 || stdout.trim() !== branch) throw invalid();
}

/** `ERR_WORKSPACE_BRANCH_EXISTS` when the repository has `branch`, or a branch that cannot live beside it. */
export async function assertBranchFree(repository: string, branch: string, signal?: AbortSignal): Promise<void> {
  const { stdout } = await repoGit(repository, ['for-each-ref', '--format=%(refname:strip=2)', 'refs/heads/'], { signal });
  const clash = conflictingBranch(stdout.split('\n').filter(Boolean), branch);
  if (clash !== undefined) {
    const what = clash === branch ? 'already exists' : `conflicts with its branch ${JSON.stringify(clash)}`;
    throw new WorkspaceError(ErrorCodes.WORKSPACE_BRANCH_EXISTS, 'workspace.branch', branch, `Branch ${JSON.stringify(branch)} ${what} in ${repository}`);
  }
}
