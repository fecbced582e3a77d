// Case `density`: many sessions at once under one SessionPool and ClaudeSessionSpawner at default options
// (sandboxed). Each count runs in a fresh process (bench/density-child.ts) against the built package, with a
// stand-in agent compiled from test/fixtures/stand-in.c: 100 assistant messages, one every 100 ms.
// Then the real CLI at 20 sessions, against the offline model server run in this process.
import { spawnSync } from 'node:child_process';
import { freemem } from 'node:os';
import { join } from 'node:path';
import { resolveClaudePath } from '../src/index.js';
import { bash, say, scenarioMarker, startModelServer } from '../src/testing/index.js';
import type { BenchCase, CaseResult, Goal } from './report.js';
import { median, MiB, repoRoot, round, runBenchChild, tempDir } from './util.js';

const COUNTS = (process.env['BENCH_DENSITY_COUNTS'] ?? '50,200,500').split(',').filter(Boolean).map(Number);
const GOAL_AT = 200;
const REAL_SESSIONS = Number(process.env['BENCH_DENSITY_REAL'] ?? '20');
const STANDIN_MESSAGES = 100;
// 500 sessions want about this much free memory (the sandboxes and stand-ins, not the daemon).
const FREE_MB_PER_SESSION = 8;

interface DensityResult {
  sessions: number;
  states: Record<string, number>;
  messages: number;
  incompleteFiles: number;
  idealMs: number;
  wallMs: number;
  allRunningMs: number;
  loopDelay: { p50: number; p99: number; max: number };
  rssPerSessionMb: number;
  cpuUsPerMessage: number;
  cpuMsPerStart: number;
  steadyCpuUsPerMessage: number;
  probe?: { count: number; failed: number; p50: number; p99: number; max: number; all: { count: number; p50: number; p99: number; max: number } };
}

const child = (sessions: number, env: Record<string, string>): Promise<DensityResult> =>
  runBenchChild<DensityResult>(['bench/density-child.ts'], 'DENSITY_RESULT', { ...env, DENSITY_SESSIONS: String(sessions) });

interface FloorResult {
  sessions: number;
  lines: number;
  idealMs: number;
  wallMs: number;
  allRunningMs: number;
  loopDelay: { p50: number; p99: number; max: number };
  steadyCpuUsPerMessage: number;
}

const floor = (sessions: number, env: Record<string, string>): Promise<FloorResult> =>
  runBenchChild<FloorResult>(['bench/density-floor.ts'], 'FLOOR_RESULT', { ...env, DENSITY_SESSIONS: String(sessions) });

type Probe = NonNullable<DensityResult['probe']>;

// The guard's answers at the goal's count: p99 moves with the machine's load from one minute to the next, so
// it is the median of this many probed runs, beside one probed run of a single session just before (the
// prober's and the machine's own round trip at that moment).
const PROBED_RUNS = Number(process.env['BENCH_DENSITY_PROBES'] ?? '3');

async function probedRuns(n: number, env: Record<string, string>, count: number): Promise<{ runs: Probe[]; median: Probe | undefined; alone: Probe | undefined }> {
  const probed = { ...env, DENSITY_PROBE: '1' };
  const alone = (await child(1, probed)).probe;
  const runs: Probe[] = [];
  for (let i = 0; i < count; i++) {
    const { probe } = await child(n, probed);
    if (probe) runs.push(probe);
  }
  const sorted = [...runs].sort((a, b) => a.p99 - b.p99);
  return { runs, median: sorted[Math.floor((sorted.length - 1) / 2)], alone };
}

// This machine's CPU time per message varies by up to 2x from one minute to the next: at the goal's count the
// CPU per message is the median of this many interleaved pairs of runs (daemon, floor).
const PAIRS = Number(process.env['BENCH_DENSITY_PAIRS'] ?? '3');

function buildStandIn(dir: string): string {
  const out = join(dir, 'stand-in');
  const cc = spawnSync('cc', ['-O2', '-o', out, join(repoRoot, 'test/fixtures/stand-in.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cannot compile the stand-in agent (a C compiler is needed): ${cc.stderr || String(cc.error)}`);
  return out;
}

/** How far a run's wall time is over its ideal, as the table shows it. */
const overIdeal = (r: { wallMs: number; idealMs: number }): string => `${round((r.wallMs / r.idealMs - 1) * 100, 1)} %`;

// `cpu`: the quiet runs' median CPU per message (all streaming), and the floor's beside it, when measured.
const row = (label: string, r: DensityResult, cpu?: { daemon: number; floor: number }): (string | number)[] => [
  label,
  r.sessions,
  Object.entries(r.states).map(([s, n]) => `${n} ${s}`).join(', '),
  round(r.loopDelay.p50, 2),
  round(r.loopDelay.p99, 1),
  round(r.loopDelay.max, 1),
  round(r.rssPerSessionMb, 2),
  cpu ? round(cpu.daemon) : '-',
  cpu && !Number.isNaN(cpu.floor) ? round(cpu.floor) : '-',
  round(r.cpuUsPerMessage),
  round(r.cpuMsPerStart, 1),
  round(r.wallMs / 1000, 2),
  overIdeal(r),
];

const floorRow = (label: string, f: FloorResult): (string | number)[] => [
  label,
  f.sessions,
  '-',
  round(f.loopDelay.p50, 2),
  round(f.loopDelay.p99, 1),
  round(f.loopDelay.max, 1),
  '-',
  '-',
  '-',
  '-',
  '-',
  round(f.wallMs / 1000, 2),
  overIdeal(f),
];

/**
 * CPU per message while every session streams: the daemon and the floor in `pairs` interleaved pairs of runs,
 * without the event-loop delay timer (see density-child.ts), and their medians.
 */
async function quietPairs(n: number, env: Record<string, string>, pairs: number): Promise<{ daemon: number; floor: number; runs: { daemon: number; floor: number }[] }> {
  const quiet = { ...env, DENSITY_LOOP: '0' };
  const runs: { daemon: number; floor: number }[] = [];
  for (let i = 0; i < pairs; i++) {
    const daemon = (await child(n, quiet)).steadyCpuUsPerMessage;
    runs.push({ daemon, floor: (await floor(n, quiet)).steadyCpuUsPerMessage });
  }
  return { daemon: median(runs.map((r) => r.daemon)), floor: median(runs.map((r) => r.floor)), runs };
}

async function run(): Promise<CaseResult> {
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
  const bin = tempDir('standin');
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const data: Record<string, unknown> = {};
  const goals: Goal[] = [];
  try {
    const agent = buildStandIn(bin.path);
    const standIn = { DENSITY_AGENT: agent, DENSITY_EXPECTED_MESSAGES: String(STANDIN_MESSAGES + 2) };
    for (const n of COUNTS) {
      const needMb = n * FREE_MB_PER_SESSION;
      if (freemem() / MiB < needMb) {
        notes.push(`${n} sessions skipped: ${round(freemem() / MiB)} MiB free, about ${needMb} MiB wanted`);
        continue;
      }
      const r = await child(n, standIn);
      const cpu = await quietPairs(n, standIn, n === GOAL_AT ? PAIRS : 1);
      rows.push(row('stand-in', r, cpu));
      data[`standIn${n}`] = { ...r, quietCpu: cpu };
      notes.push(
        `CPU per message at ${n} sessions (${cpu.runs.length} interleaved runs): daemon ${cpu.runs.map((c) => round(c.daemon)).join(', ')} µs, ` +
          `floor ${cpu.runs.map((c) => round(c.floor)).join(', ')} µs; medians ${round(cpu.daemon / cpu.floor, 2)}x the floor`,
      );
      if (r.incompleteFiles > 0 || (r.states['completed'] ?? 0) !== n) notes.push(`${n} sessions: ${r.incompleteFiles} stdout files incomplete, states ${JSON.stringify(r.states)}`);
      if (n === GOAL_AT) {
        const probe = await probedRuns(n, standIn, PROBED_RUNS);
        data[`standIn${n}Probed`] = probe.runs;
        data['probeOneSession'] = probe.alone;
        const p = probe.median;
        if (p) {
          notes.push(
            `guard at ${n} sessions, tool calls asked from another process every 10 ms (${probe.runs.length} runs): while all stream, p99 ${probe.runs.map((r) => round(r.p99, 2)).join(', ')} ms (median ${round(p.p99, 2)}); ` +
              `the median run: ${p.count} calls, p50 ${round(p.p50, 2)} ms, max ${round(p.max, 1)} ms; over its whole run, starts included, ${p.all.count} calls, p50 ${round(p.all.p50, 2)} ms, p99 ${round(p.all.p99, 2)} ms, max ${round(p.all.max, 1)} ms (${p.failed} asked a session that had just ended)`,
          );
        }
        if (probe.alone) notes.push(`guard with one session, the same prober just before: p50 ${round(probe.alone.p50, 2)} ms, p99 ${round(probe.alone.p99, 2)} ms, max ${round(probe.alone.max, 1)} ms (this machine's own round trip then)`);
        goals.push(
          { label: `event-loop delay p99, ${n} sessions`, value: round(r.loopDelay.p99, 1), unit: 'ms', target: '< 10', pass: r.loopDelay.p99 < 10 },
          { label: `event-loop delay max, ${n} sessions`, value: round(r.loopDelay.max, 1), unit: 'ms', target: '< 50', pass: r.loopDelay.max < 50 },
          { label: `daemon RSS per session, ${n} sessions`, value: round(r.rssPerSessionMb, 2), unit: 'MB', target: '< 0.5', pass: r.rssPerSessionMb < 0.5 },
          { label: `daemon CPU per message (all streaming), ${n}`, value: round(cpu.daemon), unit: 'µs', target: '≤ 20', pass: cpu.daemon <= 20 },
          { label: `wall time over the ideal, ${n} sessions`, value: round((r.wallMs / r.idealMs - 1) * 100, 1), unit: '%', target: '≤ 5', pass: r.wallMs <= r.idealMs * 1.05 },
        );
        if (p) goals.push({ label: `guard answer p99, ${n} sessions streaming`, value: round(p.p99, 2), unit: 'ms', target: '< 5', pass: p.p99 < 5 });
        const bare = await child(n, { ...standIn, DENSITY_ISOLATION: 'none' });
        rows.push(row('stand-in, unsandboxed', bare));
        data[`standIn${n}Unsandboxed`] = bare;
        // The floor under the wall time: the same stand-ins in bubblewrap with the package's layout, started
        // 16 at a time as the start gate does, by a bare reader.
        const sandboxFloor = await floor(n, { ...standIn, DENSITY_FLOOR_SANDBOX: '1' });
        data[`floor${n}Sandboxed`] = sandboxFloor;
        rows.push(floorRow('floor, sandboxed', sandboxFloor));
        notes.push(
          `floor at ${n} sessions, sandboxed: every session running after ${round(sandboxFloor.allRunningMs)} ms (the daemon: ${round(r.allRunningMs)} ms), ` +
            `wall ${overIdeal(sandboxFloor)} over its ideal (the daemon: ${overIdeal(r)})`,
        );
      }
    }
    if (REAL_SESSIONS > 0) {
      const real = await realCli(REAL_SESSIONS);
      rows.push(row('real CLI', real));
      data['realCli'] = real;
      if ((real.states['completed'] ?? 0) !== REAL_SESSIONS) notes.push(`real CLI: states ${JSON.stringify(real.states)}`);
    }
  } finally {
    bin.remove();
  }
  notes.push(
    'CPU per message "streaming" counts only while every session streams (the per-message path), in runs without the event-loop delay timer (it wakes the loop every millisecond); "floor" is bench/density-floor.ts in the same way: the same stand-ins read by a bare \'data\' listener that splits and parses lines, nothing else; "all-in" divides all of the first run\'s CPU, starts, ends and that timer included, by the messages',
    'ideal = one session alone, same agent and setup; RSS per session = (peak RSS - RSS before) / sessions',
  );
  return {
    name: 'density',
    tables: [{ head: ['agent', 'sessions', 'ended', 'loop p50 ms', 'p99 ms', 'max ms', 'RSS MB/session', 'CPU µs/msg streaming', 'floor', 'all-in', 'CPU ms/start', 'wall s', 'over ideal'], rows }],
    notes,
    goals,
    data,
  };
}

// The real CLI: each session runs four Bash calls of two seconds, then answers (about ten seconds).
async function realCli(sessions: number): Promise<DensityResult> {
  const scenario = { name: 'density', steps: [1, 2, 3, 4].map((i) => bash(`echo step ${i} && sleep 2`)).concat(say('done')) };
  const server = await startModelServer({ scenarios: [scenario] });
  const home = tempDir('density-home');
  const config = tempDir('density-config');
  try {
    const claude = resolveClaudePath(process.env['VP_CLAUDE_PATH'] ?? join(repoRoot, 'node_modules/.bin/claude'));
    return await child(sessions, {
      DENSITY_AGENT: claude,
      DENSITY_DESCRIPTION: `Run the four steps. ${scenarioMarker('density')}`,
      DENSITY_ENV: JSON.stringify({ ...server.env, HOME: home.path, CLAUDE_CONFIG_DIR: config.path }),
    });
  } finally {
    await server.close();
    home.remove();
    config.remove();
  }
}

export const density: BenchCase = { name: 'density', title: 'Hundreds of sessions at once: event loop, memory, CPU per message, guard latency', run };
