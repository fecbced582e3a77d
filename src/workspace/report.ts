import { workspaceChanges, type TreeChanges } from './diff.js';
import { workspaceHolder, type WorkspaceLease } from './lease.js';
import { listWorkspaces } from './manifest.js';
import { workspaceSafety } from './safety.js';
import type { Workspace, WorkspaceSafety } from './types.js';

/** A kept workspace as `vp-daemon workspaces` shows it. */
export interface WorkspaceReport {
  workspace: Workspace;
  /** The live session holding it, if any. */
  holder?: WorkspaceLease;
  /** Whether `pruneWorkspaces` would remove it (not checked while it is held: the check sanitizes). */
  safety: WorkspaceSafety;
  /** Its tree against its base commit; undefined when that could not be computed. */
  changes?: TreeChanges;
}

/** Every workspace under `root`, oldest first, with who holds it, what it changed and whether it may go. */
export async function reportWorkspaces(root: string): Promise<WorkspaceReport[]> {
  const reports: WorkspaceReport[] = [];
  for (const workspace of await listWorkspaces(root)) {
    const holder = await workspaceHolder(workspace);
    const changes = await workspaceChanges(workspace).catch(() => undefined);
    const safety: WorkspaceSafety = holder
      ? { safe: false, inUse: true, reason: `in use by session ${holder.sessionId ?? '?'} (process ${holder.pid})` }
      : await workspaceSafety(workspace);
    reports.push({ workspace, ...(holder && { holder }), safety, ...(changes && { changes }) });
  }
  return reports;
}
