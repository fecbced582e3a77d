// The only write to the source repository: its new branch, fetched from the workspace's git dir.
import { ErrorCodes, WorkspaceError } from '../session/errors.js';
import { repoGit } from './git.js';
import { isAncestor } from './prepare.js';
import type { Workspace } from './types.js';

/** What delivering did: made the branch, moved it forward, or found it already holding `head`. */
export type Delivery = 'created' | 'fast-forwarded' | 'unchanged' | 'contains';

/** The commit the repository's branch `branch` is at, or undefined. */
export async function repositoryBranch(ws: Pick<Workspace, 'repository' | 'branch'>): Promise<string | undefined> {
  const { stdout, exitCode } = await repoGit(ws.repository, ['rev-parse', '--verify', '--quiet', `refs/heads/${ws.branch}^{commit}`], { okExitCodes: [0, 1, 128] });
  return exitCode === 0 ? stdout.trim() : undefined;
}

/**
 * Makes the repository's `refs/heads/<branch>` hold `head` (and the objects it needs), never rewriting history:
 * a missing branch is created, one that `head` descends from is fast-forwarded, one that already contains `head`
 * (the user built on it) is left alone. A branch that has diverged is refused (`ERR_WORKSPACE_DELIVER`), as is a
 * fast-forward of a branch checked out in the repository (git refuses it). The fetch checks every object it
 * receives (`fetch.fsckObjects`): a tree a session crafted to attack a later checkout (`.git` paths, ...) is refused.
 */
export async function deliverBranch(ws: Workspace, head: string): Promise<Delivery> {
  const current = await repositoryBranch(ws);
  if (current === head) return 'unchanged';
  if (current !== undefined && (await isAncestor(ws, head, current))) return 'contains';
  if (current !== undefined && !(await isAncestor(ws, current, head))) {
    throw refused(ws, `its branch is at ${current}, which is not in the workspace's history (${head}); it was left as it is`);
  }
  const ref = `refs/heads/${ws.branch}`;
  try {
    await repoGit(ws.repository, [
      '-c', 'fetch.fsckObjects=true',
      'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules', '--no-auto-maintenance',
      ws.gitDir, `${ref}:${ref}`,
    ]);
  } catch (error) {
    throw refused(ws, error instanceof Error ? error.message : String(error), error);
  }
  return current === undefined ? 'created' : 'fast-forwarded';
}

const refused = (ws: Workspace, why: string, cause?: unknown) =>
  new WorkspaceError(ErrorCodes.WORKSPACE_DELIVER, 'workspace.branch', ws.branch, `Could not deliver branch ${ws.branch} to ${ws.repository}: ${why}`, { cause });
