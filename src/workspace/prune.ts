import { WorkspaceUnsafeError } from '../session/errors.js';
import { listWorkspaces } from './manifest.js';
import { removeWorkspace } from './safety.js';
import type { Workspace } from './types.js';

/** What `pruneWorkspaces` did with each workspace it looked at. */
export interface PruneResult {
  removed: Workspace[];
  /** Left in place, each with why: in use, uncommitted changes, commits the repository's branch lacks, ... */
  kept: { workspace: Workspace; reason: string }[];
}

/**
 * Removes the workspaces under `root` (those `select` picks, default all) whose removal loses nothing: none that a
 * live session holds, none with uncommitted changes or with commits their repository's branch does not have
 * (see `workspaceSafety`). Branches are never deleted. Never throws for one workspace: it is kept with its reason.
 */
export async function pruneWorkspaces(root: string, select: (ws: Workspace) => boolean = () => true): Promise<PruneResult> {
  const result: PruneResult = { removed: [], kept: [] };
  for (const workspace of (await listWorkspaces(root)).filter(select)) {
    try {
      await removeWorkspace(workspace);
      result.removed.push(workspace);
    } catch (error) {
      const reason = error instanceof WorkspaceUnsafeError ? error.reason : error instanceof Error ? error.message : String(error);
      result.kept.push({ workspace, reason });
    }
  }
  return result;
}
