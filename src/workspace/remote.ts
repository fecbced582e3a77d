// A workspace's work on a shared remote, for a fleet: snapshots pushed to a progress ref while the session works,
// and the delivered branch pushed from the repository (trusted) at its end, so another machine can continue from
// the last pushed commit. The branch is never force-pushed; the progress ref only with a lease on its last value.
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectFormatOf } from './config.js';
import { git, repoGit, workspaceGit } from './git.js';
import { gitIdentityEnv } from './identity.js';
import { TREE_DIR } from './manifest.js';
import { workspaceSlug } from './naming.js';
import { inspectRepository } from './repository.js';
import type { GitIdentity, Workspace } from './types.js';

/** Where a fleet keeps a workspace's work in progress on its remote: moved by the lease holder only. */
export const progressRef = (branch: string): string => `refs/vp-fleet/${branch}`;

/**
 * Snapshots of a running session's workspace pushed to a remote's progress ref, so that another machine can go on
 * from there. Each snapshot commits the tree as it is (committed or not) on the previous one, in a scratch git
 * folder of its own that borrows the repository's objects: the session's git folder, which it may have filled with
 * anything, is never read, and no config or attribute of the session's can run a program. `close()` removes it.
 */
export class ProgressPusher {
  readonly #ws: Workspace;
  readonly #identity: GitIdentity;
  #scratch: string | undefined;

  constructor(ws: Workspace, identity: GitIdentity) {
    this.#ws = ws;
    this.#identity = identity;
  }

  /**
   * Commits the tree on `parent` and pushes it to `remote`'s progress ref, replacing only `expected` (undefined: the
   * ref must not exist; a stale node's push is refused by the remote). The new commit, or undefined when the tree
   * is `parent`'s.
   */
  async push(remote: string, parent: string, expected: string | undefined): Promise<string | undefined> {
    const view = { gitDir: await this.#scratchDir(), path: this.#ws.path };
    await workspaceGit(view, ['read-tree', parent]);
    await workspaceGit(view, ['add', '--all', '--', ':/']);
    const tree = (await workspaceGit(view, ['write-tree'])).stdout.trim();
    if (tree === (await workspaceGit(view, ['rev-parse', `${parent}^{tree}`])).stdout.trim()) return undefined;
    const env = gitIdentityEnv(this.#identity);
    const commit = (await workspaceGit(view, ['commit-tree', tree, '-p', parent, '-m', 'vp-daemon: work in progress (fleet snapshot)'], { env })).stdout.trim();
    const ref = progressRef(this.#ws.branch);
    const url = await remoteUrl(this.#ws.repository, remote);
    await git(['--git-dir', view.gitDir, 'push', '--quiet', '--no-verify', '--porcelain', `--force-with-lease=${ref}:${expected ?? ''}`, url, `${commit}:${ref}`]);
    return commit;
  }

  async close(): Promise<void> {
    if (this.#scratch) await rm(this.#scratch, { recursive: true, force: true });
    this.#scratch = undefined;
  }

  async #scratchDir(): Promise<string> {
    if (this.#scratch) return join(this.#scratch, 'git');
    const scratch = await mkdtemp(join(tmpdir(), 'vp-progress-'));
    this.#scratch = scratch;
    const gitDir = join(scratch, 'git');
    await git(['init', '--quiet', '--bare', '--template=', `--object-format=${objectFormatOf(this.#ws.baseCommit)}`, gitDir]);
    await writeFile(join(gitDir, 'objects', 'info', 'alternates'), `${this.#ws.objectsDir}\n`);
    return gitDir;
  }
}

/** The URL the repository's remote `remote` names, or `remote` itself when it is no remote's name (a URL or path). */
async function remoteUrl(repository: string, remote: string): Promise<string> {
  const { stdout, exitCode } = await repoGit(repository, ['remote', 'get-url', remote], { okExitCodes: [0, 2, 128] });
  return exitCode === 0 ? stdout.trim() : remote;
}

/** Pushes the repository's `branch` to `remote` (a remote's name or URL), fast-forward only, no hooks. */
export async function pushBranch(repository: string, branch: string, remote: string): Promise<void> {
  await repoGit(repository, ['push', '--quiet', '--no-verify', '--porcelain', remote, `refs/heads/${branch}:refs/heads/${branch}`]);
}

/**
 * Sets the repository's `branch` to what `remote` has of it (before another node continues the work there): the
 * delivered branch when there is one, else the last snapshot of the work in progress. The commit, or undefined when
 * the remote has neither.
 */
export async function fetchBranch(repository: string, branch: string, remote: string): Promise<string | undefined> {
  const ref = `refs/heads/${branch}`;
  for (const source of [ref, progressRef(branch)]) {
    const found = await repoGit(repository, ['ls-remote', '--exit-code', remote, source], { okExitCodes: [0, 2] });
    if (found.exitCode !== 0) continue;
    await repoGit(repository, ['-c', 'fetch.fsckObjects=true', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules', remote, `+${source}:${ref}`]);
    return (await repoGit(repository, ['rev-parse', '--verify', `${ref}^{commit}`])).stdout.trim();
  }
  return undefined;
}

/** Removes the progress ref of `branch` from `remote` once the branch itself is there. */
export async function dropProgress(repository: string, branch: string, remote: string): Promise<void> {
  await repoGit(repository, ['push', '--quiet', '--no-verify', remote, `:${progressRef(branch)}`], { okExitCodes: [0, 1] });
}

/** The tree folder a continued workspace of `branch` gets under `root` (see `continueWorkspace`). */
export async function workspaceTreePath(root: string, repositoryDir: string, branch: string): Promise<string> {
  const { repository } = await inspectRepository(repositoryDir);
  await mkdir(root, { recursive: true });
  return join(await realpath(root), workspaceSlug(repository, branch), TREE_DIR);
}
