import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ErrorCodes, WorkspaceError } from '../session/errors.js';
import { build, createFailed, reserveFolder, workspaceRecord } from './create.js';
import { repoGit } from './git.js';
import { openWorkspace } from './manifest.js';
import { inspectRepository, resolveBaseCommit } from './repository.js';
import type { ResolvedSpec, Workspace } from './types.js';

/**
 * The workspace a retry or a resume continues in (`path`, a status's `workspace.path`): the folder when it is still
 * there, else made again at the same place from its delivered branch, which holds all its files and commits.
 * `spec.baseRef` names the base commit. Throws `ERR_WORKSPACE_MANIFEST` when the folder is not that workspace.
 */
export async function continueWorkspace(spec: ResolvedSpec, path: string, options: { root: string; sessionId?: string; taskId?: string }): Promise<Workspace> {
  const dir = dirname(resolve(path));
  const existing = await openWorkspace(dir).catch(() => undefined);
  const mismatch = (why: string) => new WorkspaceError(ErrorCodes.WORKSPACE_MANIFEST, 'workspace.path', path, `Cannot continue in ${path}: ${why}`);
  if (existing) {
    if (existing.branch !== spec.branch) throw mismatch(`it is the workspace of branch ${existing.branch}, not ${spec.branch}`);
    return existing;
  }
  const { repository, objectsDir } = await inspectRepository(spec.repository);
  const branch = await repoGit(repository, ['rev-parse', '--verify', '--quiet', `refs/heads/${spec.branch}^{commit}`], { okExitCodes: [0, 1, 128] });
  if (branch.exitCode !== 0) throw mismatch(`its folder is gone and the repository has no branch ${spec.branch}`);
  const reserved = await reserveFolder(options.root, repository, spec.branch);
  if (reserved !== dir) {
    await rm(reserved, { recursive: true, force: true });
    throw mismatch(`a workspace of ${spec.branch} lives in ${reserved}`);
  }
  const ws = workspaceRecord(dir, spec, { repository, objectsDir, baseCommit: await resolveBaseCommit(repository, spec.baseRef) }, options);
  try {
    await build(ws, undefined, branch.stdout.trim());
    return ws;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw createFailed(options.root, error instanceof Error ? error.message : String(error), error);
  }
}
