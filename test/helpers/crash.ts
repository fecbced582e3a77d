// Crashes a real CLI session with a signal while one of its tools runs a given command.
import { readFileSync } from 'node:fs';
import { findSessionProcesses } from '../../src/index.js';
import { waitFor } from './fixtures.js';

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

/** Waits until a process of the session runs `command` (a command-line prefix). */
export async function waitForCommand(sessionId: string, command: string): Promise<void> {
  const running = async (): Promise<boolean> => (await findSessionProcesses(sessionId)).some((pid) => cmdline(pid).startsWith(command));
  await waitFor(running, 30_000, `the session to run ${command}`);
}

/** Waits until a process of the session runs `command`, then sends `signal` to the session's CLI. */
export async function crashWhileRunning(sessionId: string, cliPid: number, command: string, signal: NodeJS.Signals = 'SIGSEGV'): Promise<void> {
  await waitForCommand(sessionId, command);
  process.kill(cliPid, signal);
}
