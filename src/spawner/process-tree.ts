import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { SESSION_MARKER_VAR } from './env.js';

// The marker as it appears in /proc/<pid>/environ (NUL-separated entries).
const needle = (sessionId: string): Buffer => Buffer.from(`${SESSION_MARKER_VAR}=${sessionId}\0`);

const hasMarker = (environ: Buffer, marker: Buffer): boolean =>
  environ.subarray(0, marker.length).equals(marker) || environ.includes(Buffer.concat([Buffer.from([0]), marker]));

/**
 * Process ids whose environment carries the session's marker: every process the session started,
 * including tool commands the CLI put in their own session (`setsid`), `nohup` and `&` children.
 */
export async function findSessionProcesses(sessionId: string): Promise<number[]> {
  const marker = needle(sessionId);
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  await Promise.all(
    entries.map(async (name) => {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid === process.pid) return;
      const environ = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
      if (environ && hasMarker(environ, marker)) found.push(pid);
    }),
  );
  return found;
}

/** Synchronous variant for the daemon's `exit` handler. */
export function findSessionProcessesSync(sessionId: string): number[] {
  const marker = needle(sessionId);
  const found: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of entries) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (hasMarker(readFileSync(`/proc/${pid}/environ`), marker)) found.push(pid);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/**
 * Sends a signal, ignoring processes that are already gone. Refuses 0 and ±1: `kill(0)` would signal the
 * daemon's own process group, `kill(-1)` every process it may signal, and 1 is init.
 */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pid) || Math.abs(pid) <= 1) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The process group of `pid` (field 5 of /proc/<pid>/stat), or undefined when it is gone. */
function processGroup(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/**
 * Signals every member of process group `pgid` but `except`. A sandboxed session's group holds its outer
 * bwrap, whose death would tear the sandbox down at once: SIGTERM goes to the CLI inside, which then ends
 * its tools and exits, and bwrap with it. Returns how many processes were signalled.
 */
export function signalGroupExcept(pgid: number, except: number, signal: NodeJS.Signals): number {
  let count = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const name of entries) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === except || pid === process.pid) continue;
    if (processGroup(pid) === pgid && signalProcess(pid, signal)) count += 1;
  }
  return count;
}

/**
 * Kills every process of a session until none is left or `timeoutMs` passes.
 * Returns how many distinct processes were killed.
 */
export async function reapSession(sessionId: string, timeoutMs = 5000): Promise<number> {
  const killed = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await findSessionProcesses(sessionId);
    if (pids.length === 0 || Date.now() > deadline) return killed.size;
    for (const pid of pids) if (signalProcess(pid, 'SIGKILL')) killed.add(pid);
    await sleep(20);
  }
}
