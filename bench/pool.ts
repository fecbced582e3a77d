// Case 'pool': SessionPool admission throughput against p-queue, with a spawner that costs nothing.
// Case 'warm-start': start latency of a real CLI session with and without a warm process (minIdleSessions).
import { join } from 'node:path';
import PQueue from 'p-queue';
import {
  ClaudeSessionSpawner,
  resolveClaudePath,
  SessionPool,
  type ClaudeSessionStatus,
  type PoolSpawner,
  type SessionPriority,
  type SpawnResult,
} from '../src/index.js';
import { freshStatus } from '../src/spawner/metrics.js';
import { say, scenarioMarker, startModelServer } from '../src/testing/index.js';
import type { BenchCase, CaseResult, Goal } from './report.js';
import { BENCH_MARK_VAR, benchMark, leftoverProcesses, median, repoRoot, round, sessionConfig, silentLogger, tempDir } from './util.js';

// ---------------------------------------------------------------------------------------------
// pool: N requests through SessionPool vs p-queue.

const SIZES = [1_000, 10_000, 100_000] as const;
// Small N finish in milliseconds, where scheduling noise dominates: they get more runs (1k: about 5 ms each).
const runsFor = (n: number): number => (n <= 1_000 ? 31 : n <= 10_000 ? 15 : 3);
const WARMUP_N = 10_000;
const CONCURRENCY = 8;
const SEED = 0x5eed;
const GOAL_RATIO = 1.0;
const GOAL_FLAT = 1.5;
// A pool run slower than this is not repeated at that N (the bench must end in minutes).
const BUDGET_MS = 20_000;

const PRIORITIES: readonly SessionPriority[] = ['critical', 'high', 'medium', 'low'];
const WEIGHT: Readonly<Record<SessionPriority, number>> = { critical: 4, high: 3, medium: 2, low: 1 };

/** mulberry32: a small seeded PRNG, so both queues get the same priorities every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const randomPriorities = (n: number): SessionPriority[] => {
  const next = prng(SEED);
  return Array.from({ length: n }, () => PRIORITIES[Math.floor(next() * PRIORITIES.length)] as SessionPriority);
};

const finalStatus = (): ClaudeSessionStatus =>
  freshStatus({
    sessionId: 'bench-session',
    claudeSessionId: '00000000-0000-4000-8000-000000000000',
    state: 'completed',
    endTime: new Date(),
    executionTime: 1,
    files: { dir: '', charter: '', stdout: '', stderr: '' },
  });

/** All requests submitted synchronously; resolves with the ms until every onCompleted has fired. */
async function throughPool(priorities: readonly SessionPriority[], ids: readonly string[]): Promise<number> {
  const n = priorities.length;
  const status = finalStatus();
  // Pre-resolved: a session "ends" on the microtask after it is allocated.
  const completion = Promise.resolve(status);
  let spawned = 0;
  const spawner: PoolSpawner = {
    spawnSession: () => Promise.resolve({ sessionId: `s${++spawned}`, status, completion }),
    terminateSession: () => Promise.resolve(),
  };
  const pool = new SessionPool(spawner, { maxConcurrentSessions: CONCURRENCY, maxQueueSize: n });
  const config = sessionConfig(repoRoot, 'pool bench', 60_000);
  let completed = 0;
  let failed = 0;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const onCompleted = (): void => {
    completed += 1;
    if (completed + failed === n) allDone();
  };
  const onFailed = (): void => {
    failed += 1;
    if (completed + failed === n) allDone();
  };
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) {
    void pool.requestSession({ requestId: ids[i] as string, config, priority: priorities[i] as SessionPriority, onCompleted, onFailed });
  }
  await done;
  const ms = performance.now() - t0;
  if (failed > 0 || pool.getMetrics().completedSessions !== n) throw new Error(`pool: ${failed} of ${n} requests failed`);
  await pool.drain(0);
  return ms;
}

/** The same work through p-queue: add() with the same priorities (higher first), until onIdle. */
async function throughPQueue(priorities: readonly SessionPriority[]): Promise<number> {
  const n = priorities.length;
  const status = finalStatus();
  const result: SpawnResult = { sessionId: 'bench-session', status, completion: Promise.resolve(status) };
  const queue = new PQueue({ concurrency: CONCURRENCY });
  let completed = 0;
  const onCompleted = (): void => {
    completed += 1;
  };
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) {
    void queue.add(() => Promise.resolve(result), { priority: WEIGHT[priorities[i] as SessionPriority] }).then(onCompleted);
  }
  await queue.onIdle();
  // The last add() promises settle right after onIdle; count them in.
  while (completed < n) await new Promise<void>((resolve) => setImmediate(resolve));
  return performance.now() - t0;
}

async function runPool(): Promise<CaseResult> {
  const rows: (string | number)[][] = [];
  const goals: Goal[] = [];
  const data: Record<string, unknown> = {};
  const costUs: Record<number, number> = {};
  const overBudget: string[] = [];

  // One warm-up of both (JIT, allocator) before anything is measured.
  const warmPriorities = randomPriorities(WARMUP_N);
  const warmIds = warmPriorities.map((_, i) => `req-${i}`);
  await throughPool(warmPriorities, warmIds);
  await throughPQueue(warmPriorities);

  for (const n of SIZES) {
    const priorities = randomPriorities(n);
    const ids = priorities.map((_, i) => `req-${i}`);
    const poolMs: number[] = [];
    const pqMs: number[] = [];
    const RUNS = runsFor(n);
    for (let r = 0; r < RUNS; r += 1) {
      const poolAgain = poolMs.every((ms) => ms <= BUDGET_MS);
      // Interleaved, alternating which goes first.
      if (r % 2 === 0) {
        if (poolAgain) poolMs.push(await throughPool(priorities, ids));
        pqMs.push(await throughPQueue(priorities));
      } else {
        pqMs.push(await throughPQueue(priorities));
        if (poolAgain) poolMs.push(await throughPool(priorities, ids));
      }
    }
    if (poolMs.length < RUNS) overBudget.push(`N=${n}: the pool run took ${round((poolMs[0] ?? 0) / 1000)} s (> ${BUDGET_MS / 1000} s), so it ran ${poolMs.length} time(s), not ${RUNS}`);
    const pool = median(poolMs);
    const pq = median(pqMs);
    const poolOps = n / (pool / 1000);
    const pqOps = n / (pq / 1000);
    const ratio = poolOps / pqOps;
    costUs[n] = (pool * 1000) / n;
    rows.push([n, round(pool), Math.round(poolOps), round(pq), Math.round(pqOps), round(ratio, 3), round(costUs[n], 2), round((pq * 1000) / n, 2)]);
    goals.push({ label: `pool/p-queue throughput, N=${n}`, value: round(ratio, 3), unit: 'x', target: `>= ${GOAL_RATIO}`, pass: ratio >= GOAL_RATIO });
    data[String(n)] = { poolMs, pqMs, poolRuns: poolMs.length, poolMedianMs: pool, pqMedianMs: pq, poolOpsPerSec: poolOps, pqOpsPerSec: pqOps, ratio, poolUsPerRequest: costUs[n] };
  }
  const small = costUs[SIZES[0]] ?? Number.NaN;
  const large = costUs[SIZES[SIZES.length - 1] as number] ?? Number.NaN;
  const flat = large / small;
  goals.push({ label: 'pool cost per request, 100k/1k', value: round(flat, 2), unit: 'x', target: `<= ${GOAL_FLAT} (flat)`, pass: flat <= GOAL_FLAT });
  data['costRatio'] = flat;
  return {
    name: 'pool',
    tables: [{ head: ['N', 'pool ms', 'pool ops/s', 'p-queue ms', 'p-queue ops/s', 'pool/p-queue', 'pool µs/req', 'p-queue µs/req'], rows }],
    notes: [
      `medians of ${runsFor(SIZES[0])} (N = 1k), ${runsFor(SIZES[1])} (N = 10k) or ${runsFor(SIZES[2])} interleaved runs per N after one warm-up (N=${WARMUP_N}); priorities from a seeded PRNG (seed ${SEED}), the same for both`,
      `pool: SessionPool(maxConcurrentSessions ${CONCURRENCY}, maxQueueSize N), every requestSession() in one tick, a spawner that resolves at once with a pre-resolved completion; until every onCompleted fired`,
      `p-queue: new PQueue({ concurrency: ${CONCURRENCY} }), add(() => Promise.resolve(result), { priority: weight }) for each, until onIdle and every add() settled`,
      `pool cost per request: ${round(small, 2)} µs at 1k, ${round(large, 2)} µs at 100k (${round(flat, 2)}x)`,
      ...overBudget,
    ],
    goals,
    data,
  };
}

export const poolThroughput: BenchCase = { name: 'pool', title: 'SessionPool admission throughput against p-queue (no processes)', run: runPool };

// ---------------------------------------------------------------------------------------------
// warm-start: a real CLI session, cold (minIdleSessions 0) against warm (minIdleSessions 1).

const REQUESTS = 8;
const WARMUP_ROUNDS = 1;
const SESSION_TIMEOUT_MS = 60_000;
const WAIT_WARM_MS = 60_000;
// prewarm() resolves once the CLI process runs, not once the CLI has finished booting; this pause
// before a "settled" request lets the warm process finish starting (and keeps A and B equal).
const SETTLE_MS = 2_000;

interface StartTiming {
  /** requestSession() call → its promise resolved (a session allocated). */
  allocatedMs: number;
  /** requestSession() call → completion resolved. */
  totalMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function runWarmStart(): Promise<CaseResult> {
  const server = await startModelServer({ scenarios: [{ name: 'ok', steps: [say('ok')] }] });
  const dirs = { cwd: tempDir('cwd'), config: tempDir('config'), home: tempDir('home'), state: tempDir('state') };
  const pools: SessionPool[] = [];
  const spawners: ClaudeSessionSpawner[] = [];
  try {
    const command = resolveClaudePath(join(repoRoot, 'node_modules/.bin/claude'));
    const env = { ...server.env, HOME: dirs.home.path, CLAUDE_CONFIG_DIR: dirs.config.path, [BENCH_MARK_VAR]: benchMark };
    const config = sessionConfig(dirs.cwd.path, `Say ok. ${scenarioMarker('ok')}`, SESSION_TIMEOUT_MS);
    const spawner = (): ClaudeSessionSpawner => {
      const s = new ClaudeSessionSpawner({ claudePath: command, env, stateDir: dirs.state.path, logger: silentLogger, killGraceMs: 2000 });
      spawners.push(s);
      return s;
    };
    const cold = new SessionPool(spawner(), { maxConcurrentSessions: 2, minIdleSessions: 0 });
    const warm = new SessionPool(spawner(), { maxConcurrentSessions: 2, minIdleSessions: 1, warmTemplate: config });
    pools.push(cold, warm);
    let seq = 0;
    let warmRequests = 0;

    /** One request, after B has a warm process idle (and, if `settle`, after SETTLE_MS more). */
    const once = async (pool: SessionPool, settle: boolean): Promise<StartTiming> => {
      await until(() => warm.getPoolStatus().idleCount === 1, WAIT_WARM_MS, 'a warm process');
      if (settle) await sleep(SETTLE_MS);
      if (pool === warm) warmRequests += 1;
      const t0 = performance.now();
      const { completion } = await pool.requestSession({ requestId: `warm-start-${seq++}`, config, priority: 'high' });
      const allocatedMs = performance.now() - t0;
      const final = await completion;
      const totalMs = performance.now() - t0;
      if (final.state !== 'completed') throw new Error(`session ended ${final.state}: ${final.errorMessage ?? ''} ${final.stderr.slice(-300)}`);
      return { allocatedMs, totalMs };
    };

    const coldRuns: StartTiming[] = [];
    const warmRuns: StartTiming[] = [];
    const backToBackRuns: StartTiming[] = [];
    for (let i = 0; i < WARMUP_ROUNDS + REQUESTS; i += 1) {
      // A and B settled, order alternating; then B again at once (its warm process was started
      // during the request before, and is taken as soon as the pool counts it idle).
      let c: StartTiming;
      let w: StartTiming;
      if (i % 2 === 0) {
        c = await once(cold, true);
        w = await once(warm, true);
      } else {
        w = await once(warm, true);
        c = await once(cold, true);
      }
      const b = await once(warm, false);
      if (i < WARMUP_ROUNDS) continue;
      coldRuns.push(c);
      warmRuns.push(w);
      backToBackRuns.push(b);
    }
    const warmStarts = warm.getMetrics().warmStarts;
    const coldWarmStarts = cold.getMetrics().warmStarts;
    // Let the replacement warm process finish starting, so drain has it to stop.
    await until(() => warm.getPoolStatus().idleCount === 1, WAIT_WARM_MS, 'the last replacement warm process');
    await Promise.all(pools.map((p) => p.drain(10_000)));
    await until(() => spawners.every((s) => s.getActiveSessions().length === 0), 10_000, 'sessions to end');
    await until(() => leftoverProcesses().length === 0, 10_000, 'CLI processes to exit after drain');

    const stat = (runs: StartTiming[]) => ({
      median: median(runs.map((r) => r.totalMs)),
      min: Math.min(...runs.map((r) => r.totalMs)),
      max: Math.max(...runs.map((r) => r.totalMs)),
      allocated: median(runs.map((r) => r.allocatedMs)),
    });
    const c = stat(coldRuns);
    const w = stat(warmRuns);
    const b = stat(backToBackRuns);
    const gainMs = c.median - w.median;
    const row = (name: string, s: ReturnType<typeof stat>) => [name, coldRuns.length, round(s.median), round(s.min), round(s.max), round(s.allocated)];
    return {
      name: 'warm-start',
      tables: [{
        head: ['pool', 'runs', 'request→done median ms', 'min ms', 'max ms', 'request→allocated median ms'],
        rows: [
          row('A cold (minIdleSessions 0)', c),
          row('B warm (minIdleSessions 1), settled', w),
          row('B warm, back-to-back', b),
          ['gain A − B settled', '', round(gainMs), '', '', round(c.allocated - w.allocated)],
          ['gain A − B back-to-back', '', round(c.median - b.median), '', '', round(c.allocated - b.allocated)],
        ],
      }],
      notes: [
        `real CLI (${command}) against the offline model server (say('ok')); ${WARMUP_ROUNDS} warm-up round, then ${REQUESTS} rounds, one request at a time`,
        `every request waits until pool B has a warm process (getPoolStatus().idleCount === 1); "settled" requests (A and B, order alternating) then wait ${SETTLE_MS} ms more so that process has finished booting and no start-up runs while they are measured`,
        'back-to-back: a B request right after a B request, as soon as idleCount === 1 (prewarm() resolves when the process runs, before the CLI has booted)',
        `warm (settled) median is ${round((100 * gainMs) / c.median)} % faster than cold (${round(gainMs)} ms); back-to-back ${round((100 * (c.median - b.median)) / c.median)} % (${round(c.median - b.median)} ms)`,
        `B warmStarts: ${warmStarts} of ${warmRequests} requests; A warmStarts: ${coldWarmStarts}`,
        'both pools drained at the end; no CLI process left',
      ],
      goals: [
        { label: 'warm/cold median request→done', value: round(w.median / c.median, 3), unit: `x (gain ${round(gainMs)} ms)`, target: '< 1', pass: w.median < c.median },
        { label: 'B requests started warm', value: warmStarts, unit: `of ${warmRequests}`, target: `= ${warmRequests}`, pass: warmStarts === warmRequests },
      ],
      data: {
        cold: c, warm: w, backToBack: b, gainMs, warmStarts, warmRequests,
        coldRunsMs: coldRuns.map((r) => round(r.totalMs)), warmRunsMs: warmRuns.map((r) => round(r.totalMs)), backToBackRunsMs: backToBackRuns.map((r) => round(r.totalMs)),
      },
    };
  } finally {
    await Promise.all(pools.map((p) => p.drain(5_000).catch(() => undefined)));
    for (const s of spawners) await Promise.all(s.getActiveSessions().map((a) => s.terminateSession(a.sessionId, false).catch(() => undefined)));
    await server.close();
    for (const dir of Object.values(dirs)) dir.remove();
  }
}

export const warmStart: BenchCase = { name: 'warm-start', title: 'Start latency of a real session: cold against a warm process (minIdleSessions 1)', run: runWarmStart };
