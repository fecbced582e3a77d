import { ErrorCodes, WorkspaceError } from '../session/errors.js';
import { freeSpace } from './fs-util.js';
import { repoGit } from './git.js';
import { estimateCheckoutBytes, parseLsTreeSizes } from './parse.js';

/** Below this many free bytes (or with no free inode) a file system counts as full. */
const NEARLY_FULL_BYTES = 64 * 1024;

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

/** `ERR_WORKSPACE_NO_SPACE` when the file system of `root` lacks room (bytes or inodes) for a checkout of `baseCommit`. */
export async function assertRoomFor(repository: string, baseCommit: string, root: string, signal?: AbortSignal): Promise<void> {
  const { stdout } = await repoGit(repository, ['ls-tree', '-r', '-l', '-z', '--full-tree', baseCommit], { signal });
  const sizes = parseLsTreeSizes(stdout);
  const neededBytes = estimateCheckoutBytes(sizes);
  const free = await freeSpace(root);
  const neededInodes = sizes.length + 64;
  if (free.bytes < neededBytes || (free.inodes !== undefined && free.inodes < neededInodes)) {
    const what = free.bytes < neededBytes ? `${mib(neededBytes)} needed, ${mib(free.bytes)} free` : `${neededInodes} files needed, ${free.inodes} free`;
    throw new WorkspaceError(ErrorCodes.WORKSPACE_NO_SPACE, 'workspace.root', root, `Not enough space for a workspace in ${root}: ${what}`);
  }
}

/** True when `error` says ENOSPC, or the file system of `root` is (nearly) full now. */
export async function looksOutOfSpace(error: unknown, root: string): Promise<boolean> {
  const { code, stderr } = (error ?? {}) as { code?: unknown; stderr?: unknown };
  const text = [error instanceof Error ? error.message : String(error), String(code), String(stderr)].join(' ');
  if (/ENOSPC|No space left on device/i.test(text)) return true;
  const free = await freeSpace(root);
  return free.bytes < NEARLY_FULL_BYTES || free.inodes === 0;
}
