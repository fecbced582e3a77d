// Git workspaces: each session its own checkout of a repository on its own branch, delivered back as that branch.
export { continueWorkspace } from './continue.js';
export { checkWorkspace, createWorkspace } from './create.js';
export { workspaceChanges, workspaceDiff, type TreeChanges } from './diff.js';
export { diffstat, type ChangeCounts } from './diffstat.js';
export { LEFTOVER_COMMIT_MESSAGE, finalizeWorkspace } from './finalize.js';
export { workspaceFootprint } from './footprint.js';
export { gitIdentityEnv } from './identity.js';
export { leaseWorkspace, workspaceHolder, type WorkspaceLease } from './lease.js';
export { listWorkspaces, openWorkspace } from './manifest.js';
export { pruneWorkspaces, type PruneResult } from './prune.js';
export { reportWorkspaces, type WorkspaceReport } from './report.js';
export { removeWorkspace, workspaceSafety, type RemoveOptions } from './safety.js';
export { resolveWorkspaceSpec } from './spec.js';
export type { CreateWorkspaceOptions, GitIdentity, ResolvedSpec, Workspace, WorkspaceDiffTarget, WorkspaceFootprint, WorkspaceKeep, WorkspaceSafety } from './types.js';
export { dropProgress, fetchBranch, ProgressPusher, progressRef, pushBranch, workspaceTreePath } from './remote.js';
