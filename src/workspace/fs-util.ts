import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Writes `path` by writing a new file beside it and renaming it over: never writes through a link. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temp, data, { flag: 'wx', mode: 0o644 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** True when `path` is a directory itself (not a link to one). */
export async function isRealDir(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** Makes `path` a real directory, replacing whatever else is there. */
export async function ensureRealDir(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (info?.isDirectory()) return;
  if (info) await rm(path, { force: true, recursive: true });
  await mkdir(path, { recursive: true });
}

/** Removes every link, pipe, socket and device under `dir` (never following a link). */
export async function removeNonRegular(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await removeNonRegular(path);
    else if (!entry.isFile()) await rm(path, { force: true });
  }
}

/** Sum of the sizes of the regular files under `dir` (links not followed); 0 when it is missing. */
export async function treeBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await treeBytes(path);
    else if (entry.isFile()) total += (await lstat(path)).size;
  }
  return total;
}

/** Free bytes and inodes (inodes undefined when the file system does not count them) of the file system of `path` or its nearest existing parent. */
export async function freeSpace(path: string): Promise<{ bytes: number; inodes: number | undefined }> {
  for (let dir = path; ; dir = dirname(dir)) {
    const stats = await statfs(dir).catch(() => undefined);
    if (stats) return { bytes: stats.bavail * stats.bsize, inodes: stats.files > 0 ? stats.ffree : undefined };
    if (dirname(dir) === dir) return { bytes: Number.POSITIVE_INFINITY, inodes: undefined };
  }
}
