// Case 'fleet': submit-to-spawn latency of a real CLI session through the fleet's BullMQ queue against the local pool,
// interleaved; and the admission throughput of 10,000 requests through BullMQ (submit, then take with a no-op run).
// Redis: VP_BENCH_REDIS_URL, else 127.0.0.1:6379.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { VPDaemon } from '../src/daemon/daemon.js';
import { fleetPrefix } from '../src/fleet/identity.js';
import { FleetQueue, startFleetWorker } from '../src/fleet/queue.js';
import { bash, say, scenarioMarker, startModelServer, type ModelServer } from '../src/testing/index.js';
import type { BenchCase, CaseResult } from './report.js';
import { median, round, silentLogger, tempDir } from './util.js';

const URL = process.env['VP_BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PAIRS = 8;
const ADMISSIONS = 10_000;
const charter = {
  identity: { name: 'Bench VP', email: 'b@example.com', role: 'Engineer' },
  objectives: ['ok'],
  constraints: { forbiddenCommands: [], forbiddenPatterns: [], requiredApprovals: [] },
  resources: { maxTokens: 100_000, maxExecutionTime: 60_000, allowedTools: ['read'] },
};

async function removeKeys(redis: Redis, prefix: string): Promise<void> {
  for (let cursor = '0'; ; ) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
    if (cursor === '0') return;
  }
}

/** Milliseconds from handleTriageRequest to the session's spawn, then waits for it to end. */
async function submitToSpawn(daemon: VPDaemon, n: number, workDir: string): Promise<number> {
  const t0 = performance.now();
  const spawned = new Promise<number>((resolve) => daemon.spawner.once('session-spawned', () => resolve(performance.now() - t0)));
  const ended = new Promise<void>((resolve) => daemon.spawner.once('session-ended', () => resolve()));
  await daemon.handleTriageRequest({ requestId: `bench-${n}-${randomBytes(3).toString('hex')}`, task: { id: `B-${n}`, description: `ok ${scenarioMarker('quick')}` }, charter, workingDirectory: workDir, isolation: 'none' });
  const ms = await spawned;
  await ended;
  return ms;
}

async function admissions(redis: Redis, name: string): Promise<{ submitPerS: number; takePerS: number }> {
  const queue = new FleetQueue(redis, name);
  try {
    const t0 = performance.now();
    for (let i = 0; i < ADMISSIONS; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => queue.submit({ requestId: `adm-${i + j}`, priority: 'medium', triage: {}, submittedBy: 'bench' })));
    }
    const submitMs = performance.now() - t0;
    let taken = 0;
    const t1 = performance.now();
    const all = new Promise<void>((resolve) => {
      const worker = startFleetWorker(redis, name, {
        concurrency: 50,
        run: async () => {
          taken += 1;
          if (taken === ADMISSIONS) setImmediate(() => void worker.close().then(resolve));
          return Promise.resolve({ node: 'bench', state: 'completed' });
        },
      });
    });
    await all;
    const takeMs = performance.now() - t1;
    return { submitPerS: ADMISSIONS / (submitMs / 1000), takePerS: ADMISSIONS / (takeMs / 1000) };
  } finally {
    await queue.close();
  }
}

// A fleet node in a process of its own (the tests' helper), so that it can be SIGKILLed.
const NODE_SCRIPT = join(import.meta.dirname, '..', 'test', 'helpers', 'fleet-node-process.ts');

/**
 * Milliseconds from a SIGKILL of the node running a session to the start of its continuation on the other node
 * (lease and stalled check as given), over `runs` requests.
 */
async function takeover(server: ModelServer, root: string, leaseMs: number | undefined, stalledCheckMs: number | undefined, runs: number): Promise<number[]> {
  const names: string[] = [];
  const times: number[] = [];
  const redis = new Redis(URL);
  try {
    for (let r = 0; r < runs; r++) {
      // A fleet of its own per run: the continuation of the last run, stopped with its nodes, stays in that one.
      const name = `bench-takeover-${randomBytes(4).toString('hex')}`;
      names.push(name);
      const nodes = [0, 1].map((n) => {
        const options = {
          stateDir: join(root, `takeover-${name}-${r}-${n}`),
          maxSessions: 1,
          spawner: { env: { ...server.env, HOME: root, CLAUDE_CONFIG_DIR: join(root, `claude-t${n}`) }, killGraceMs: 1000 },
          fleet: { url: URL, name, ...(leaseMs !== undefined && { leaseMs }), ...(stalledCheckMs !== undefined && { stalledCheckMs }) },
        };
        const child = fork(NODE_SCRIPT, [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
        if (process.env['VP_DEBUG_FLEET']) child.stderr?.pipe(createWriteStream(`/tmp/bench-node-${r}-${n}.log`));
        else child.stderr?.resume();
        const seen: { type: string; at: number }[] = [];
        child.on('message', (m: { type: string }) => seen.push({ ...m, at: performance.now() }));
        return { child, seen, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
      });
      const until = async (check: () => boolean, ms: number): Promise<void> => {
        for (const end = performance.now() + ms; !check(); ) {
          if (performance.now() > end) throw new Error('takeover bench: timed out');
          await new Promise((res) => setTimeout(res, 20));
        }
      };
      try {
        await until(() => nodes.every((n) => n.seen.some((m) => m.type === 'ready')), 60_000);
        const id = `takeover-${r}`;
        nodes[0]!.child.send({ id: 1, request: { requestId: id, task: { id, description: `work ${scenarioMarker('held')}` }, charter: { ...charter, resources: { ...charter.resources, allowedTools: ['read', 'bash'] } }, workingDirectory: root, urgency: 'normal' } });
        let runner = -1;
        await until(() => (runner = nodes.findIndex((n) => n.seen.some((m) => m.type === 'spawned'))) !== -1, 60_000);
        // Once its transcript is mirrored: the continuation resumes the conversation.
        await new Promise((res) => setTimeout(res, 1500));
        const killedAt = performance.now();
        nodes[runner]!.child.kill('SIGKILL');
        const other = nodes[1 - runner]!;
        await until(() => other.seen.some((m) => m.type === 'spawned'), 180_000);
        times.push(other.seen.find((m) => m.type === 'spawned')!.at - killedAt);
      } finally {
        for (const n of nodes) n.child.kill('SIGTERM');
        await Promise.all(nodes.map((n) => n.exited));
      }
    }
    return times;
  } finally {
    for (const name of names) await removeKeys(redis, fleetPrefix(name));
    redis.disconnect();
  }
}

async function run(): Promise<CaseResult> {
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(URL, { maxRetriesPerRequest: null });
  const dir = tempDir('fleet');
  const server = await startModelServer({ scenarios: [{ name: 'quick', steps: [say('ok')] }, { name: 'held', steps: [bash('sleep 20'), say('ok')] }] });
  const make = (n: number, fleet: boolean) =>
    new VPDaemon({
      stateDir: join(dir.path, `state-${n}`),
      logger: silentLogger,
      spawner: { env: { ...server.env, HOME: dir.path, CLAUDE_CONFIG_DIR: join(dir.path, `claude-${n}`) } },
      ...(fleet && { fleet: { url: URL, name } }),
    });
  const local = make(1, false);
  const fleet = make(2, true);
  try {
    await local.start();
    await fleet.start();
    const times = { local: [] as number[], fleet: [] as number[] };
    for (let i = 0; i < PAIRS + 1; i++) {
      const first = i % 2 === 0 ? 'local' : 'fleet';
      for (const which of first === 'local' ? (['local', 'fleet'] as const) : (['fleet', 'local'] as const)) {
        const ms = await submitToSpawn(which === 'local' ? local : fleet, i, dir.path);
        if (i > 0) times[which].push(ms);
      }
    }
    const adm = await admissions(redis, `${name}-adm`);
    const extra = median(times.fleet) - median(times.local);
    const atDefaults = await takeover(server, dir.path, undefined, undefined, 1);
    const atFiveSeconds = await takeover(server, dir.path, 5000, 5000, 3);
    const seconds = (ms: number[]): string => ms.map((t) => (t / 1000).toFixed(1)).join(', ');
    return {
      name: 'fleet',
      tables: [
        { head: ['submit to spawn (ms)', 'median', 'max'], rows: [['local pool', round(median(times.local)), round(Math.max(...times.local))], ['fleet (BullMQ on Redis)', round(median(times.fleet)), round(Math.max(...times.fleet))]] },
        { head: [`${ADMISSIONS} admissions`, 'per second'], rows: [['submit (idempotency key + add)', Math.round(adm.submitPerS)], ['taken by one worker (concurrency 50, no-op run)', Math.round(adm.takePerS)]] },
        {
          head: ['takeover after SIGKILL (s, to the continuation spawned)', 'runs', 'median'],
          rows: [
            ['defaults: lease 30 s, stalled check 30 s', seconds(atDefaults), round(median(atDefaults) / 1000)],
            ['lease 5 s, stalled check 5 s', seconds(atFiveSeconds), round(median(atFiveSeconds) / 1000)],
          ],
        },
      ],
      notes: [
        `Redis at ${URL}; ${PAIRS} interleaved pairs after one warm-up, the real CLI (spawn = its process started)`,
        'takeover: two nodes in processes of their own, sandboxed sessions; the bound is lease + stalled check',
      ],
      goals: [{ label: 'fleet submit-to-spawn over local, p50', value: round(extra), unit: 'ms', target: '< 50', pass: extra < 50 }],
      data: { times, admissions: adm, takeoverMs: { atDefaults, atFiveSeconds } },
    };
  } finally {
    await fleet.stop(5000);
    await local.stop(5000);
    await removeKeys(redis, fleetPrefix(name));
    redis.disconnect();
    await server.close();
    dir.remove();
  }
}

export const fleetBench: BenchCase = { name: 'fleet', title: 'fleet submit-to-spawn against the local pool, BullMQ admission throughput', run };
