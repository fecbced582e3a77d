// workspace.json: written last by createWorkspace (its presence marks a finished workspace), read back here.
import { readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { ErrorCodes, WorkspaceError } from '../session/errors.js';
import { writeFileAtomic } from './fs-util.js';
import type { Workspace } from './types.js';

export const MANIFEST_FILE = 'workspace.json';
export const TREE_DIR = 'tree';
export const GIT_DIR = 'git';
const MANIFEST_MAX_BYTES = 64 * 1024;

const manifestSchema = z.object({
  version: z.literal(1),
  path: z.string().min(1),
  gitDir: z.string().min(1),
  repository: z.string().min(1),
  objectsDir: z.string().min(1),
  branch: z.string().min(1),
  baseRef: z.string().min(1),
  baseCommit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
  keep: z.enum(['never', 'on-failure', 'always']),
  createdAt: z.string().min(1),
  sessionId: z.string().optional(),
  taskId: z.string().optional(),
});

/** The workspace's folder: the one holding `tree/`, `git/` and the manifest. */
export const workspaceDir = (ws: Pick<Workspace, 'path'>): string => dirname(ws.path);

/** `ERR_WORKSPACE_TAMPERED` unless `path` and `gitDir` are `tree/` and `git/` of one folder. */
export function assertWorkspaceShape(ws: Pick<Workspace, 'path' | 'gitDir'>): void {
  const dir = workspaceDir(ws);
  if (ws.path !== join(dir, TREE_DIR) || ws.gitDir !== join(dir, GIT_DIR)) {
    throw new WorkspaceError(ErrorCodes.WORKSPACE_TAMPERED, 'workspace.path', ws.path, `Not a workspace layout: ${ws.path} and ${ws.gitDir} must be tree/ and git/ of one folder`);
  }
}

export async function writeManifest(ws: Workspace): Promise<void> {
  await writeFileAtomic(join(workspaceDir(ws), MANIFEST_FILE), `${JSON.stringify(ws, null, 2)}\n`);
}

/**
 * Reads the workspace in `dir` from its manifest; `ERR_WORKSPACE_MANIFEST` when it has none, an invalid one, or
 * one naming folders other than `dir/tree` and `dir/git`. Only a manifest the session could not write is to be
 * trusted (its `repository` is where `finalizeWorkspace` delivers): keep the folder itself out of the sandbox.
 */
export async function openWorkspace(dir: string): Promise<Workspace> {
  const folder = await realpath(resolve(dir)).catch(() => resolve(dir));
  const file = join(folder, MANIFEST_FILE);
  const invalid = (why: string, cause?: unknown) =>
    new WorkspaceError(ErrorCodes.WORKSPACE_MANIFEST, 'workspace.path', folder, `No valid workspace in ${folder}: ${why}`, { cause });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw invalid(`cannot read ${MANIFEST_FILE}`, error);
  }
  if (text.length > MANIFEST_MAX_BYTES) throw invalid(`${MANIFEST_FILE} is too large`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalid(`${MANIFEST_FILE} is not JSON`, error);
  }
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) throw invalid(`${MANIFEST_FILE}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const ws: Workspace = parsed.data;
  if (ws.path !== join(folder, TREE_DIR) || ws.gitDir !== join(folder, GIT_DIR)) throw invalid('its paths are not this folder\'s tree/ and git/');
  return ws;
}

/** Every workspace under `root`, oldest first; folders without a valid manifest are skipped. */
export async function listWorkspaces(root: string): Promise<Workspace[]> {
  const entries = await readdir(resolve(root), { withFileTypes: true }).catch(() => []);
  const found: Workspace[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const ws = await openWorkspace(join(resolve(root), entry.name)).catch(() => undefined);
    if (ws) found.push(ws);
  }
  return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.path.localeCompare(b.path));
}
