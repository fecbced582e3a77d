// A workspace's branch on a shared remote, for a fleet: pushed while the session works and at its end, so another
// machine can continue from the last pushed commit. Only the repository (trusted) talks to the remote; the
// workspace's commits reach it through the same checked fetch as a delivery. Never a force push: a push that would
// rewrite the remote's branch (a stale node's) is refused by git itself.
import { mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { deliverBranch } from './deliver.js';
import { repoGit, workspaceGit } from './git.js';
import { TREE_DIR } from './manifest.js';
import { workspaceSlug } from './naming.js';
import { inspectRepository } from './repository.js';
import type { Workspace } from './types.js';

/** The commit the workspace's branch is at now, or undefined (no such branch yet). Only reads a ref. */
export async function workspaceHead(ws: Workspace): Promise<string | undefined> {
  const { stdout, exitCode } = await workspaceGit(ws, ['rev-parse', '--verify', '--quiet', `refs/heads/${ws.branch}^{commit}`], { okExitCodes: [0, 1, 128] });
  return exitCode === 0 ? stdout.trim() : undefined;
}

/**
 * Brings the workspace's branch at `head` into the repository (see `deliverBranch`) and pushes it to `remote`
 * without force. While the session runs its git folder may change under the fetch: the fetch checks every object,
 * and the push at the session's end, with no session process left, is the one that counts.
 */
export async function publishBranch(ws: Workspace, head: string, remote: string): Promise<void> {
  await deliverBranch(ws, head);
  await pushBranch(ws.repository, ws.branch, remote);
}

/** Pushes the repository's `branch` to `remote` (a remote's name or URL), fast-forward only, no hooks. */
export async function pushBranch(repository: string, branch: string, remote: string): Promise<void> {
  await repoGit(repository, ['push', '--quiet', '--no-verify', '--porcelain', remote, `refs/heads/${branch}:refs/heads/${branch}`]);
}

/**
 * Sets the repository's `branch` to what `remote` has of it (before another node continues the work there).
 * The commit, or undefined when the remote has no such branch.
 */
export async function fetchBranch(repository: string, branch: string, remote: string): Promise<string | undefined> {
  const ref = `refs/heads/${branch}`;
  const found = await repoGit(repository, ['ls-remote', '--exit-code', remote, ref], { okExitCodes: [0, 2] });
  if (found.exitCode !== 0) return undefined;
  await repoGit(repository, ['-c', 'fetch.fsckObjects=true', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules', remote, `+${ref}:${ref}`]);
  const { stdout } = await repoGit(repository, ['rev-parse', '--verify', `${ref}^{commit}`]);
  return stdout.trim();
}

/** The tree folder a continued workspace of `branch` gets under `root` (see `continueWorkspace`). */
export async function workspaceTreePath(root: string, repositoryDir: string, branch: string): Promise<string> {
  const { repository } = await inspectRepository(repositoryDir);
  await mkdir(root, { recursive: true });
  return join(await realpath(root), workspaceSlug(repository, branch), TREE_DIR);
}
