import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { ClaudeSessionConfig } from '../src/index.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const silentLogger = pino({ level: 'silent' });
export const MiB = 1024 * 1024;

/** Marks every process the bench starts (raw or via the spawner) so leftovers can be found. */
export const BENCH_MARK_VAR = 'VP_BENCH_RUN';
export const benchMark = process.env[BENCH_MARK_VAR] ?? `${process.pid}-${Date.now()}`;

/** A fresh temporary folder. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `vp-bench-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A valid session config; `description` carries the scenario marker for the model server. */
export function sessionConfig(workingDirectory: string, description: string, timeout: number): ClaudeSessionConfig {
  return {
    workingDirectory,
    charter: {
      identity: { name: 'Bench VP', email: 'vp@example.com', role: 'Software Engineer' },
      objectives: ['Answer the benchmark prompt'],
      constraints: { forbiddenCommands: ['rm -rf'], forbiddenPatterns: [/force.*push/i], requiredApprovals: ['deploy'] },
      resources: { maxTokens: 100_000, maxExecutionTime: timeout, allowedTools: ['read', 'write', 'bash'] },
    },
    taskContext: { taskId: 'BENCH-1', description, priority: 'medium' },
    memory: { recentActions: [], conversationHistory: [], preferences: {}, projectContext: {} },
    timeout,
  };
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);
export const p90 = (values: readonly number[]): number => quantile(values, 0.9);

/** Nearest-rank quantile; the median of an even count is the mean of the two middle values. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  if (q === 0.5 && sorted.length % 2 === 0) return ((sorted[sorted.length / 2 - 1] ?? 0) + (sorted[sorted.length / 2] ?? 0)) / 2;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Pids of live processes whose environment carries this bench run's mark. */
export function leftoverProcesses(): number[] {
  const needle = Buffer.from(`${BENCH_MARK_VAR}=${benchMark}\0`);
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`);
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (environ.includes(needle) && !state.includes(') Z ')) found.push(pid);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/** Kills leftovers of this bench run; returns how many there were. */
export function killLeftovers(): number {
  const pids = leftoverProcesses();
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids.length;
}

/**
 * Runs a bench script in a fresh Node process (through tsx) and returns the JSON of its `<MARKER> {json}` line.
 */
export async function runBenchChild<T>(nodeArgs: string[], marker: string, env: Record<string, string> = {}): Promise<T> {
  // BENCH_CHILD_ARGS passes Node options to every case's child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const extra = (process.env['BENCH_CHILD_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, ...nodeArgs.slice(0, -1), '--import', 'tsx', ...nodeArgs.slice(-1)], {
    cwd: repoRoot,
    env: { ...process.env, ...env, [BENCH_MARK_VAR]: benchMark },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const line = out.split('\n').find((l) => l.startsWith(`${marker} `));
  if (code !== 0 || line === undefined) throw new Error(`${nodeArgs.at(-1)} exited ${code}: ${out.slice(-500)}`);
  return JSON.parse(line.slice(marker.length + 1)) as T;
}
