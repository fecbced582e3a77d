// A session's git workspace as the spawner runs it: made (or found again) before the session, its work committed
// and delivered as a branch once no process of the session is left, and its folder kept or removed as `keep` says.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClaudeSessionConfig, ClaudeSessionStatus, VPIdentity, WorkspaceStatus } from '../session/types.js';
import { ErrorCodes, WorkspaceError } from '../session/errors.js';
import type { Logger } from '../utils/logger.js';
import { isRealDir } from '../workspace/fs-util.js';
import { continueWorkspace, createWorkspace, finalizeWorkspace, leaseWorkspace, removeWorkspace, resolveWorkspaceSpec, type Workspace } from '../workspace/index.js';

/** Where a spawner keeps its sessions' workspaces. */
export const workspacesRoot = (stateDir: string): string => join(stateDir, 'workspaces');

/** A session's workspace, held by it (see `leaseWorkspace`) until `release`. */
export interface SessionWorkspace {
  ws: Workspace;
  release: () => Promise<void>;
}

/**
 * The workspace `config` asks for, leased to the session, or undefined. Throws the typed `WorkspaceError`s before
 * anything else is written (`ERR_WORKSPACE_IN_USE` when a live session holds the workspace to be continued).
 */
export async function openSessionWorkspace(config: ClaudeSessionConfig, stateDir: string, sessionId: string): Promise<SessionWorkspace | undefined> {
  if (!config.workspace) return undefined;
  const { taskId } = config.taskContext;
  const spec = resolveWorkspaceSpec(config.workspace, { workingDirectory: config.workingDirectory, taskId });
  const root = workspacesRoot(stateDir);
  const options = { root, sessionId, taskId };
  // A state folder inside the repository (the default) must not show the workspaces to the repository's own git.
  const ignore = (): Promise<void> => writeFile(join(root, '.gitignore'), '*\n');
  if (config.workspace.path === undefined) {
    const ws = await createWorkspace(spec, options);
    await ignore();
    return { ws, release: await leaseWorkspace(ws, sessionId) };
  }
  // A removal may have taken the folder between finding it and leasing it: then it is made again, once.
  for (let attempt = 0; ; attempt++) {
    const ws = await continueWorkspace(spec, config.workspace.path, options);
    await ignore();
    const release = await leaseWorkspace(ws, sessionId).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && attempt === 0) return undefined;
      throw error;
    });
    if (release && (await isRealDir(ws.gitDir))) return { ws, release };
    await release?.();
    if (attempt > 0) throw new WorkspaceError(ErrorCodes.WORKSPACE_IN_USE, 'workspace.path', ws.path, `Workspace ${ws.path} was removed while this session took it`);
  }
}

/** The status of a workspace before its session has delivered anything. */
export function startingStatus(ws: Workspace): WorkspaceStatus {
  const { path, repository, branch, baseRef, baseCommit, keep } = ws;
  return { path, repository, branch, baseRef, baseCommit, headCommit: baseCommit, commits: 0, filesChanged: [], insertions: 0, deletions: 0, keep, kept: true };
}

/**
 * At the session's end, with none of its processes left (nothing can race the supervisor's git): commits what
 * it left uncommitted, delivers its branch to the repository, then removes the folder when `keep` says so and no
 * work would be lost. A failure is recorded in `status.workspace.error`, and the folder is then kept.
 */
export async function deliverSessionWorkspace({ ws, release }: SessionWorkspace, status: ClaudeSessionStatus, identity: VPIdentity, logger: Logger): Promise<void> {
  try {
    await deliverAndClean(ws, status, identity, logger);
  } finally {
    await release();
  }
}

async function deliverAndClean(ws: Workspace, status: ClaudeSessionStatus, identity: VPIdentity, logger: Logger): Promise<void> {
  const { sessionId } = status;
  let delivered: WorkspaceStatus;
  try {
    delivered = { ...(await finalizeWorkspace(ws, identity)), keep: ws.keep, kept: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    status.workspace = { ...(status.workspace ?? startingStatus(ws)), error: message };
    logger.error({ sessionId, err: error, workspace: ws.path }, 'the workspace could not be delivered; its folder is kept');
    return;
  }
  status.workspace = delivered;
  if (ws.keep === 'always' || (ws.keep === 'on-failure' && status.state !== 'completed')) return;
  try {
    await removeWorkspace(ws, { holder: status.sessionId });
    delivered.kept = false;
  } catch (error) {
    logger.warn({ sessionId, err: error, workspace: ws.path }, 'the workspace folder is kept');
  }
}
