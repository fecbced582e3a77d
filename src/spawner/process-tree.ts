import { readdirSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { setImmediate as setImmediatePromise, setTimeout as sleep } from 'node:timers/promises';
import { procStat } from '../utils/proc.js';
import { SESSION_MARKER_VAR } from './env.js';

const ENTRY_PREFIX = Buffer.from(`${SESSION_MARKER_VAR}=`);

/** The session id a process's environment (`/proc/<pid>/environ`, NUL-separated) is marked with. */
export function markerOf(environ: Buffer): string | undefined {
  let at = environ.subarray(0, ENTRY_PREFIX.length).equals(ENTRY_PREFIX) ? 0 : -1;
  if (at === -1) {
    const inner = environ.indexOf(Buffer.concat([Buffer.from([0]), ENTRY_PREFIX]));
    if (inner === -1) return undefined;
    at = inner + 1;
  }
  const start = at + ENTRY_PREFIX.length;
  const end = environ.indexOf(0, start);
  return environ.toString('latin1', start, end === -1 ? environ.length : end);
}

type Scan = Map<string, number[]>;

function addTo(scan: Scan, sessionId: string | undefined, pid: number): void {
  if (sessionId === undefined) return;
  const pids = scan.get(sessionId);
  if (pids) pids.push(pid);
  else scan.set(sessionId, [pid]);
}

// Reads of /proc files never block on a disk: a few microseconds each when read synchronously, against
// four trips through the thread pool when read asynchronously. A pass reads them in slices, one slice per
// turn of the event loop, so that a machine with thousands of processes does not stall the loop.
const PIDS_PER_SLICE = 32;

function readEnviron(scan: Scan, name: string): void {
  const pid = Number(name);
  if (!Number.isInteger(pid) || pid === process.pid) return;
  try {
    addTo(scan, markerOf(readFileSync(`/proc/${pid}/environ`)), pid);
  } catch {
    // Gone, or not ours to read.
  }
}

async function scanProc(): Promise<Scan> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const scan: Scan = new Map();
  for (let i = 0; i < entries.length; i += PIDS_PER_SLICE) {
    if (i > 0) await setImmediatePromise();
    for (const name of entries.slice(i, i + PIDS_PER_SLICE)) readEnviron(scan, name);
  }
  return scan;
}

// One pass over /proc serves every session that asks meanwhile: hundreds of sessions ending together
// cost a few passes, not one each. A caller always gets a pass that started after it asked.
let running: Promise<Scan> | undefined;
let queued: Promise<Scan> | undefined;

function freshScan(): Promise<Scan> {
  if (queued) return queued;
  if (!running) return (running = scanProc().finally(() => (running = undefined)));
  queued = running.then(() => {
    queued = undefined;
    return freshScan();
  });
  return queued;
}

/**
 * Process ids whose environment carries the session's marker: every process the session started,
 * including tool commands the CLI put in their own session (`setsid`), `nohup` and `&` children.
 */
export async function findSessionProcesses(sessionId: string): Promise<number[]> {
  return (await freshScan()).get(sessionId) ?? [];
}

/** Synchronous variant for the daemon's `exit` handler: the processes of each marked session, in one pass. */
export function markedProcessesSync(): Map<string, number[]> {
  const scan: Scan = new Map();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return scan;
  }
  for (const name of entries) readEnviron(scan, name);
  return scan;
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
  const group = procStat(pid)?.[2];
  return group === undefined ? undefined : Number(group);
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
