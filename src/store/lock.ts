import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DaemonRunningError } from '../session/errors.js';
import { procStat } from '../utils/proc.js';

/** The lock file's name inside the state folder. */
export const LOCK_FILE = 'daemon.lock';

/** What the lock file holds (one JSON line). */
export interface LockOwner {
  pid: number;
  /** ISO time the owner took the lock. */
  startedAt: string;
  hostname?: string;
  token?: string;
}

/** A held daemon lock. */
export interface DaemonLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still ours; idempotent. */
  release(): void;
}

// Lock files held by this process, shared by every copy of this module loaded in it. A lock naming our own pid that
// is not in here was left by an earlier process that had the same pid (common for pid 1 in containers): stale.
const held: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('vp-daemon.store.locks')] ??= new Set<string>()) as Set<string>;

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;
const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes `<stateDir>/daemon.lock` (created with O_EXCL, mode 0o600, holding our pid and start time).
 * A lock whose pid is alive throws DaemonRunningError; one whose pid is dead (a daemon killed with SIGKILL) is taken
 * over. Takeover renames the stale file aside and checks it is the one judged stale, so two racing takers cannot both
 * win. Limitation: a dead owner's pid reused by an unrelated live process makes the lock look held.
 */
export function acquireLock(stateDir: string): DaemonLock {
  const path = join(stateDir, LOCK_FILE);
  if (held.has(path)) throw new DaemonRunningError(process.pid, path);
  const owner: LockOwner = { pid: process.pid, startedAt: new Date().toISOString(), hostname: hostname(), token: randomUUID() };
  const text = `${JSON.stringify(owner)}\n`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (tryCreate(path, text)) {
      held.add(path);
      let released = false;
      return {
        path,
        owner,
        release: () => {
          if (released) return;
          released = true;
          held.delete(path);
          if (readText(path) === text) unlinkSync(path);
        },
      };
    }
    const raw = readText(path);
    if (raw === undefined) continue; // removed meanwhile
    const pid = parsePid(raw);
    if (pid === undefined && attempt < 20) {
      sleep(50); // created but not yet written by a starting daemon
      continue;
    }
    if (pid !== undefined && pid !== process.pid && isAlive(pid)) throw new DaemonRunningError(pid, path);
    removeIfUnchanged(path, raw);
  }
  throw new DaemonRunningError(parsePid(readText(path) ?? '') ?? 0, path);
}

function tryCreate(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if (errno(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(path);
    throw error;
  }
  closeSync(fd);
  return true;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** The pid in a lock file: our JSON, or a bare number. */
export function parsePid(raw: string): number | undefined {
  let pid: unknown;
  try {
    const parsed = JSON.parse(raw) as unknown;
    pid = typeof parsed === 'object' && parsed !== null ? (parsed as { pid?: unknown }).pid : parsed;
  } catch {
    return undefined;
  }
  return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** True while `pid` exists and is not a zombie (EPERM: it exists, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errno(error) !== 'EPERM') return false;
  }
  const fields = procStat(pid);
  return fields === undefined ? true : fields[0] !== 'Z'; // no procfs: trust kill(0)
}

/** Removes the lock file only if it still holds `raw`; puts back a file that changed meanwhile. */
function removeIfUnchanged(path: string, raw: string): void {
  const aside = `${path}.${process.pid}.${randomUUID()}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (errno(error) === 'ENOENT') return;
    throw error;
  }
  if (readText(aside) !== raw) {
    try {
      linkSync(aside, path); // someone else's fresh lock: restore it (fails only if a third party holds the name)
    } catch {
      /* the name is taken again: that owner wins */
    }
  }
  unlinkSync(aside);
}
