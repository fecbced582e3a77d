import { join } from 'node:path';
import { treeBytes } from './fs-util.js';
import type { Workspace, WorkspaceFootprint } from './types.js';

/** Bytes of the workspace's git dir, of its objects (what it did not borrow) and of its tree. */
export async function workspaceFootprint(ws: Pick<Workspace, 'path' | 'gitDir'>): Promise<WorkspaceFootprint> {
  const [gitDirBytes, objectsBytes, tree] = await Promise.all([treeBytes(ws.gitDir), treeBytes(join(ws.gitDir, 'objects')), treeBytes(ws.path)]);
  return { gitDirBytes, objectsBytes, treeBytes: tree };
}
