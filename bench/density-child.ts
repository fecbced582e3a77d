// Runs in a fresh process (started by density.ts): DENSITY_SESSIONS sessions at once through a SessionPool
// and ClaudeSessionSpawner at default options (sandboxed), each running DENSITY_AGENT. Measures this
// process: event-loop delay, RSS, CPU; a separate prober process times the guard's answers meanwhile.
// Prints one line `DENSITY_RESULT {json}`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ClaudeSessionSpawner, SessionPool, type ClaudeSessionStatus } from '../dist/index.js';
import { BENCH_MARK_VAR, benchMark, MiB, repoRoot, sessionConfig, silentLogger, tempDir } from './util.js';

const SESSIONS = Number(process.env['DENSITY_SESSIONS'] ?? '50');
const AGENT = process.env['DENSITY_AGENT'] ?? '';
const DESCRIPTION = process.env['DENSITY_DESCRIPTION'] ?? 'Work on the density benchmark.';
// Messages each session prints (the stand-in's count; the real CLI's are counted from its files).
const EXPECTED_MESSAGES = Number(process.env['DENSITY_EXPECTED_MESSAGES'] ?? '0');
// With DENSITY_PROBE=1 a prober times the guard meanwhile (its requests cost the daemon CPU, so the
// CPU figures come from a run without it).
const PROBE = process.env['DENSITY_PROBE'] === '1';
// With DENSITY_LOOP=0 no event-loop delay is measured: its timer wakes the loop every millisecond, which at
// 200 sessions costs about as much CPU per message as the floor itself, so the CPU figures come from such runs.
const LOOP = process.env['DENSITY_LOOP'] !== '0';
// The stand-in's pace, for the messages of the steady window (every session streaming).
const INTERVAL_MS = Number(process.env['STANDIN_INTERVAL_MS'] ?? '100');
const TIMEOUT_MS = 120_000;
const SAMPLE_MS = 100;

const dirs = { cwd: tempDir('density-cwd'), state: tempDir('density-state') };
const env = { ...JSON.parse(process.env['DENSITY_ENV'] ?? '{}') as Record<string, string>, [BENCH_MARK_VAR]: benchMark };
// DENSITY_ISOLATION=none measures the daemon without the kernel's cost of making sandboxes.
const isolation = process.env['DENSITY_ISOLATION'] === 'none' ? ('none' as const) : undefined;
const spawner = new ClaudeSessionSpawner({ claudePath: AGENT, env, stateDir: dirs.state.path, logger: silentLogger, ...(isolation && { isolation }) });
const pool = new SessionPool(spawner, { maxConcurrentSessions: Math.max(SESSIONS, 1) });
const config = (i: number) => ({ ...sessionConfig(dirs.cwd.path, DESCRIPTION, TIMEOUT_MS), taskContext: { taskId: `DENSITY-${i}`, description: DESCRIPTION, priority: 'medium' as const } });

interface Marks {
  /** When every session runs, and this process's CPU use then. */
  allRunningMs: number;
  cpuAllRunning: NodeJS.CpuUsage | undefined;
  /** The same two marks on the wall clock (epoch ms), for the prober's samples. */
  epochAllRunningMs?: number;
  epochFirstEndMs?: number;
  /** When the first session ends. */
  firstEndMs: number;
  cpuFirstEnd: NodeJS.CpuUsage | undefined;
  /** The two marks on the monotonic clock in µs (a --cpu-prof profile's time base). */
  hrStartUs?: number;
  hrAllRunningUs?: number;
  hrFirstEndUs?: number;
}

async function runSessions(n: number): Promise<{ statuses: ClaudeSessionStatus[]; wallMs: number; marks: Marks }> {
  const t0 = performance.now();
  const hrStartUs = Number(process.hrtime.bigint() / 1000n);
  const marks: Marks = { hrStartUs, allRunningMs: Number.NaN, cpuAllRunning: undefined, firstEndMs: Number.NaN, cpuFirstEnd: undefined };
  let allocated = 0;
  const done = Array.from({ length: n }, (_, i) =>
    pool.requestSession({ requestId: `r-${n}-${i}-${Date.now()}`, priority: 'medium', config: config(i) }).then(async (r) => {
      allocated += 1;
      if (allocated === n) {
        marks.allRunningMs = performance.now() - t0;
        marks.cpuAllRunning = process.cpuUsage();
        marks.epochAllRunningMs = Date.now();
        marks.hrAllRunningUs = Number(process.hrtime.bigint() / 1000n);
      }
      const status = await r.completion;
      if (marks.cpuFirstEnd === undefined) {
        marks.firstEndMs = performance.now() - t0;
        marks.cpuFirstEnd = process.cpuUsage();
        marks.epochFirstEndMs = Date.now();
        marks.hrFirstEndUs = Number(process.hrtime.bigint() / 1000n);
      }
      return status;
    }),
  );
  const statuses = await Promise.all(done);
  return { statuses, wallMs: performance.now() - t0, marks };
}

interface ProbeOutput {
  samples: [atMs: number, latencyMs: number][];
  failed: number;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
const stats = (values: number[]): { count: number; p50: number; p99: number; max: number } => {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
};

// The guard's answers while every session streams (the goal's condition), and over the whole run, starts included.
function probeFigures(out: ProbeOutput, marks: Marks) {
  const from = marks.epochAllRunningMs ?? Number.POSITIVE_INFINITY;
  const to = marks.epochFirstEndMs ?? Number.NEGATIVE_INFINITY;
  const streaming = out.samples.filter(([at]) => at >= from && at <= to).map(([, ms]) => ms);
  return { ...stats(streaming), failed: out.failed, all: stats(out.samples.map(([, ms]) => ms)) };
}

// The stream-json messages a session printed: the lines of its stdout file.
async function linesOf(status: ClaudeSessionStatus): Promise<number> {
  const text = await readFile(status.files.stdout);
  let lines = 0;
  for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) lines += 1;
  return lines;
}

try {
  // One session alone first: loads and compiles the code, and is the ideal a session's wall time can reach.
  const alone = await runSessions(1);
  const idealMs = alone.wallMs;
  // The baseline is the idle process after a full collection: without it, it depends on whether V8 has yet
  // shrunk the heap the first run grew (seen: 107 to 160 MB from one run to the next), and so does the figure.
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  await sleep(200);
  const before = process.memoryUsage();
  const rssBefore = before.rss;
  let rssPeak = rssBefore;
  // What the peak is made of: the JS heap and the memory outside it (buffers), at the RSS peak.
  let atPeak = before;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    if (now.rss > rssPeak) [rssPeak, atPeak] = [now.rss, now];
  }, SAMPLE_MS);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const prober = PROBE && spawn(process.execPath, ['--import', 'tsx', 'bench/guard-prober.ts', dirs.state.path], {
    cwd: repoRoot,
    env: { ...process.env, [BENCH_MARK_VAR]: benchMark },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let probeOut = '';
  if (prober) {
    prober.stdout.on('data', (chunk: Buffer) => {
      probeOut += chunk.toString('utf8');
    });
  }
  if (LOOP) histogram.enable();
  const cpu0 = process.cpuUsage();
  const { statuses, wallMs, marks } = await runSessions(SESSIONS);
  const cpu = process.cpuUsage(cpu0);
  histogram.disable();
  clearInterval(sampler);
  if (prober) {
    prober.kill('SIGTERM');
    await once(prober, 'close');
  }
  const probe = prober ? probeFigures(JSON.parse(probeOut.trim().split('\n').at(-1) ?? '{}') as ProbeOutput, marks) : undefined;
  const used = (from: NodeJS.CpuUsage | undefined, to: NodeJS.CpuUsage | undefined): number =>
    from && to ? to.user + to.system - from.user - from.system : Number.NaN;
  // Every session streams between these two marks: CPU there is the per-message path alone.
  const steadyMs = marks.firstEndMs - marks.allRunningMs;
  // Known only for the stand-in, which prints at a fixed pace.
  const steadyMessages = EXPECTED_MESSAGES > 0 ? (SESSIONS * steadyMs) / INTERVAL_MS : Number.NaN;

  const states: Record<string, number> = {};
  for (const s of statuses) states[s.state] = (states[s.state] ?? 0) + 1;
  // Why sessions did not complete (a few distinct reasons), so that a failed run says what went wrong.
  const failures = [...new Set(statuses.filter((s) => s.state !== 'completed').map((s) => `${s.outcome?.reason ?? s.state}: ${s.errorMessage ?? ""} stderr: ${s.stderr.slice(-300)} stdout: ${s.stdout.slice(-400)}`))].slice(0, 3);
  const outputTokens = statuses.reduce((sum, s) => sum + s.tokenUsage.output, 0);
  const lines = await Promise.all(statuses.map(linesOf));
  const messages = lines.reduce((sum, l) => sum + l, 0);
  // The stand-in prints a known count: every file must hold all of it.
  const incompleteFiles = EXPECTED_MESSAGES > 0 ? lines.filter((l) => l !== EXPECTED_MESSAGES).length : 0;
  const ms = (ns: number): number => ns / 1e6;
  const result = {
    sessions: SESSIONS,
    states,
    failures,
    outputTokens,
    messages,
    incompleteFiles,
    idealMs,
    wallMs,
    allRunningMs: marks.allRunningMs,
    steadyMs,
    startWindowUs: [marks.hrStartUs, marks.hrAllRunningUs],
    steadyWindowUs: [marks.hrAllRunningUs, marks.hrFirstEndUs],
    loopDelay: LOOP ? { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) } : { p50: Number.NaN, p99: Number.NaN, max: Number.NaN },
    rssPerSessionMb: (rssPeak - rssBefore) / MiB / SESSIONS,
    rssPeakMb: rssPeak / MiB,
    rssBeforeMb: rssBefore / MiB,
    atPeakPerSessionMb: { heapUsed: (atPeak.heapUsed - before.heapUsed) / MiB / SESSIONS, heapTotal: (atPeak.heapTotal - before.heapTotal) / MiB / SESSIONS, external: (atPeak.external - before.external) / MiB / SESSIONS },
    cpuMs: (cpu.user + cpu.system) / 1000,
    cpuUsPerMessage: (cpu.user + cpu.system) / messages,
    cpuMsPerStart: used(cpu0, marks.cpuAllRunning) / 1000 / SESSIONS,
    steadyCpuUsPerMessage: used(marks.cpuAllRunning, marks.cpuFirstEnd) / steadyMessages,
    probe,
  };
  console.log(`DENSITY_RESULT ${JSON.stringify(result)}`);
} finally {
  await pool.drain(5000).catch(() => undefined);
  for (const dir of Object.values(dirs)) dir.remove();
}
