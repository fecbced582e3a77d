import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ClaudeSessionSpawner,
  SESSION_MARKER_VAR,
  type ClaudeSessionConfig,
  type SpawnerEvents,
  type SpawnerOptions,
} from '../../src/index.js';
import { makeConfig, silentLogger, tempDir } from './fixtures.js';

/** The fake `claude` executables in test/fixtures, by behaviour. */
export type FakeAgent =
  | 'ok'
  | 'segfault'
  | 'ignore-sigterm'
  | 'garbage'
  | 'silent'
  | 'init-then-silent'
  | 'exit-143'
  | 'exit-1-orphan'
  | 'grandchildren'
  | 'chatty'
  | 'touch';

/** Absolute path of a fake agent executable. */
export const fakeAgentPath = (agent: FakeAgent): string =>
  fileURLToPath(new URL(`../fixtures/fake-${agent}.mjs`, import.meta.url));

/** A spawner running one fake agent in its own temporary working directory. */
export interface FakeRig {
  readonly workDir: string;
  readonly spawner: ClaudeSessionSpawner;
  /** A valid session config for the rig's working directory. */
  config(overrides?: Partial<ClaudeSessionConfig>): ClaudeSessionConfig;
  /** Ends every session still running (and what it started), then removes the working directory. */
  close(): Promise<void>;
}

// How long `close` lets terminateSession(id, false) take before it kills the processes itself.
const CLEANUP_MS = 10_000;

// Safety net for when the code under test is broken: every session the tests started, by id, with
// the process group of those still running. `sweep` kills whatever is left, also when the test
// runner stops this file with SIGTERM (on its timeout).
const started = new Map<string, number | undefined>();

/** Registers a spawner's sessions with the safety net (fakeRig does this itself); returns their ids as they start. */
export function watch(spawner: ClaudeSessionSpawner): Set<string> {
  const ids = new Set<string>();
  spawner.on('session-spawned', ({ sessionId, pid }) => {
    ids.add(sessionId);
    started.set(sessionId, pid);
  });
  spawner.on('session-ended', ({ sessionId }) => started.set(sessionId, undefined));
  return ids;
}

/** SIGKILLs the process groups of those sessions that have not ended, and every process carrying their marker. */
export function sweep(ids: Iterable<string> = started.keys()): void {
  const mine = [...ids];
  const markers = mine.map((id) => Buffer.from(`${SESSION_MARKER_VAR}=${id}\0`));
  for (const id of mine) {
    const pgid = started.get(id);
    if (pgid !== undefined) killQuietly(-pgid);
  }
  if (markers.length === 0) return;
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue;
    }
    if (markers.some((m) => environ.includes(m))) killQuietly(pid);
  }
}

// Folders of rigs not closed yet, removed on exit.
const leftovers = new Set<() => void>();

process.on('exit', () => {
  sweep();
  for (const remove of leftovers) remove();
});
process.once('SIGTERM', () => process.exit(143));

const killQuietly = (pid: number): void => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
};

export function fakeRig(agent: FakeAgent, options: Omit<SpawnerOptions, 'claudePath'> = {}): FakeRig {
  const work = tempDir('vp-fake-');
  leftovers.add(work.remove);
  const spawner = new ClaudeSessionSpawner({ claudePath: fakeAgentPath(agent), logger: silentLogger, killGraceMs: 2000, ...options });
  const ids = watch(spawner);
  return {
    workDir: work.path,
    spawner,
    config: (overrides = {}) => makeConfig(work.path, overrides),
    close: async () => {
      const active = spawner.getActiveSessions();
      const ended = await within(
        Promise.all(active.map((s) => spawner.terminateSession(s.sessionId, false))),
        CLEANUP_MS,
        'terminating the sessions left running',
      ).then(
        () => true,
        () => false,
      );
      sweep(ids);
      work.remove();
      leftovers.delete(work.remove);
      if (!ended) throw new Error('terminateSession(id, false) did not end the sessions; the test killed them itself');
    },
  };
}

/** Records every payload of one spawner event. */
export function record<K extends keyof SpawnerEvents>(spawner: ClaudeSessionSpawner, event: K): SpawnerEvents[K][0][] {
  const seen: SpawnerEvents[K][0][] = [];
  // EventEmitter's generic typing cannot follow K into the listener; the map ties both together.
  spawner.on(event, ((payload: SpawnerEvents[K][0]) => seen.push(payload)) as never);
  return seen;
}

/** Rejects with a clear message if `promise` has not settled within `ms` (a generous hang guard, not a speed check). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** The command line of a live process, or undefined once it is gone. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** SIGKILLs a process if it still exists and its command line matches (cleanup after failures). */
export function killIfMatches(pid: number, pattern: RegExp): void {
  const cmd = commandLine(pid);
  if (cmd !== undefined && pattern.test(cmd)) killQuietly(pid);
}
