import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { SpawnError } from '../../session/errors.js';

/** Starts the CLI; rejects with a {@link SpawnError} if the OS refuses. */
export async function startProcess(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<ChildProcessWithoutNullStreams> {
  // detached: the CLI leads its own process group, so the group can be signalled as one.
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    await once(child, 'spawn');
  } catch (cause) {
    throw new SpawnError(`Could not start ${command}: ${(cause as Error).message}`, { cause });
  }
  return child;
}

/** Whether the process and its pipes keep the event loop alive. */
export function setKeepAlive(child: ChildProcessWithoutNullStreams, on: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as { ref(): unknown; unref(): unknown }[]) {
    if (on) handle.ref();
    else handle.unref();
  }
}
