// lease.json beside a workspace's manifest: which live process runs a session in it. Removal (the session's own
// cleanup, `pruneWorkspaces`, a daemon's start) leaves a leased workspace alone. The file lies outside the tree and
// the git folder, so the session cannot write it.
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCodes, WorkspaceError } from '../session/errors.js';
import { processStartTicks } from '../utils/proc.js';
import { workspaceDir } from './manifest.js';
import type { Workspace } from './types.js';

const LEASE_FILE = 'lease.json';

const leaseSchema = z.object({ pid: z.number().int().positive(), startTicks: z.string(), sessionId: z.string().optional(), since: z.string() });

/** Who holds a workspace: a process (named by pid and start time, so a reused pid is no holder) and its session. */
export type WorkspaceLease = z.infer<typeof leaseSchema>;

const leasePath = (ws: Pick<Workspace, 'path'>): string => join(workspaceDir(ws), LEASE_FILE);

/** The live holder of the workspace, or undefined when none is recorded or the recorded process is gone. */
export async function workspaceHolder(ws: Pick<Workspace, 'path'>): Promise<WorkspaceLease | undefined> {
  const text = await readFile(leasePath(ws), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let lease: WorkspaceLease;
  try {
    lease = leaseSchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
  // Without procfs there is no start time: a live pid is taken as the holder (a reused pid keeps the workspace).
  if (lease.startTicks === '') return pidAlive(lease.pid) ? lease : undefined;
  return processStartTicks(lease.pid) === lease.startTicks ? lease : undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Records this process as the workspace's holder for `sessionId` and returns the release. Taking it is exclusive:
 * the lease file is made with a hard link (which fails when one exists); a dead holder's lease is replaced, and
 * of two processes replacing it at once the one whose lease is there afterwards wins. Throws `ERR_WORKSPACE_IN_USE`
 * when another live process, or another session of this one, holds it.
 */
export async function leaseWorkspace(ws: Pick<Workspace, 'path'>, sessionId: string): Promise<() => Promise<void>> {
  const path = leasePath(ws);
  const lease: WorkspaceLease = { pid: process.pid, startTicks: processStartTicks(process.pid) ?? '', sessionId, since: new Date().toISOString() };
  const text = `${JSON.stringify(lease)}\n`;
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(temp, text, { flag: 'wx', mode: 0o600 });
  try {
    const fresh = await link(temp, path).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        return false;
      },
    );
    if (!fresh) {
      const holder = await workspaceHolder(ws);
      if (holder && !(holder.pid === process.pid && holder.sessionId === sessionId)) throw inUse(ws, holder);
      await rename(temp, path);
      const now = await readFile(path, 'utf8').catch(() => '');
      if (now !== text) {
        const winner = await workspaceHolder(ws);
        if (winner) throw inUse(ws, winner);
      }
    }
  } finally {
    await rm(temp, { force: true });
  }
  return async () => {
    // Only our own lease: a later holder's stays.
    if ((await readFile(path, 'utf8').catch(() => undefined)) === text) await rm(path, { force: true });
  };
}

function inUse(ws: Pick<Workspace, 'path'>, holder: WorkspaceLease): WorkspaceError {
  const who = `process ${holder.pid}${holder.sessionId ? ` (session ${holder.sessionId})` : ''}`;
  return new WorkspaceError(ErrorCodes.WORKSPACE_IN_USE, 'workspace.path', ws.path, `Workspace ${ws.path} is in use by ${who} since ${holder.since}`);
}
