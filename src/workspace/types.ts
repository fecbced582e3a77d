import type { WorkspaceSpec } from '../session/types.js';

/** A {@link WorkspaceSpec} with every default filled in (see `resolveWorkspaceSpec`). */
export type ResolvedSpec = Required<Omit<WorkspaceSpec, 'path'>>;

/** When a workspace folder is kept after its session: a policy for the caller; `removeWorkspace` does not read it. */
export type WorkspaceKeep = ResolvedSpec['keep'];

/**
 * One workspace, as its `workspace.json` records it. The folder `<root>/<slug>/` holds `tree/` (`path`),
 * `git/` (`gitDir`) and the manifest. `gitDir` borrows the repository's objects (`objectsDir`, through
 * `objects/info/alternates`): a sandbox must show `objectsDir` read-only, `path` and `gitDir` writable.
 */
export interface Workspace {
  version: 1;
  /** The working tree the session works in. */
  path: string;
  /** The workspace's own git folder. */
  gitDir: string;
  /** The repository's top-level folder (its git folder when bare), absolute and real. */
  repository: string;
  /** The repository's object folder, absolute and real. */
  objectsDir: string;
  branch: string;
  baseRef: string;
  baseCommit: string;
  keep: WorkspaceKeep;
  /** ISO 8601. */
  createdAt: string;
  sessionId?: string;
  taskId?: string;
}

/** Options of `createWorkspace`. */
export interface CreateWorkspaceOptions {
  /** The folder workspaces live in (made when missing). */
  root: string;
  sessionId?: string;
  taskId?: string;
  /** Stops creation; what was made is removed and `ERR_WORKSPACE_CREATE` thrown with the abort reason as `cause`. */
  signal?: AbortSignal;
}

/** Author and committer of the commit `finalizeWorkspace` makes of uncommitted work. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** Whether `removeWorkspace` may remove a workspace without losing work; `inUse` when a live session holds it. */
export type WorkspaceSafety = { safe: true } | { safe: false; reason: string; inUse?: true };

/** What `workspaceDiff` needs when the workspace itself is gone. */
export type WorkspaceDiffTarget = Workspace | Pick<Workspace, 'repository' | 'baseCommit' | 'branch'>;

/** Bytes used by a workspace (regular files' sizes; links not followed). */
export interface WorkspaceFootprint {
  /** The whole git folder. */
  gitDirBytes: number;
  /** The git folder's `objects/`: what the workspace did not borrow from the repository. */
  objectsBytes: number;
  treeBytes: number;
}
