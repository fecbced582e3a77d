import { workspaceChanges, type TreeChanges } from './diff.js';
import { randomBytes } from 'node:crypto';
import { leaseWorkspace, workspaceHolder, type WorkspaceLease } from './lease.js';
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

const inUse = (holder: WorkspaceLease): WorkspaceSafety => ({ safe: false, inUse: true, reason: `in use by session ${holder.sessionId ?? '?'} (process ${holder.pid})` });

// The safety check sanitizes the workspace: it holds the lease meanwhile, so no session starts in it then.
async function checkedAlone(workspace: Workspace): Promise<WorkspaceSafety> {
  const holder = `report-${process.pid}-${randomBytes(4).toString('hex')}`;
  let release: () => Promise<void>;
  try {
    release = await leaseWorkspace(workspace, holder);
  } catch {
    const now = await workspaceHolder(workspace);
    return now ? inUse(now) : { safe: false, reason: 'it could not be checked: its lease could not be taken' };
  }
  try {
    return await workspaceSafety(workspace, { holder });
  } finally {
    await release();
  }
}

/** Every workspace under `root`, oldest first, with who holds it, what it changed and whether it may go. */
export async function reportWorkspaces(root: string): Promise<WorkspaceReport[]> {
  const reports: WorkspaceReport[] = [];
  for (const workspace of await listWorkspaces(root)) {
    const holder = await workspaceHolder(workspace);
    const changes = await workspaceChanges(workspace).catch(() => undefined);
    const safety: WorkspaceSafety = holder ? inUse(holder) : await checkedAlone(workspace);
    reports.push({ workspace, ...(holder && { holder }), safety, ...(changes && { changes }) });
  }
  return reports;
}
