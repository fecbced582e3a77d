// The floor under the density case's CPU per message, run in a fresh process (started by density.ts): the
// same stand-ins, spawned with node:child_process and read by a bare 'data' listener that splits lines and
// parses each (what any supervisor of stream-json must do at the least), with no sandbox, files or events.
// Measured as density-child.ts measures the daemon: CPU between "every session streams" and the first end,
// and, as there, without the event-loop delay histogram when the CPU is what is measured.
// With DENSITY_FLOOR_SANDBOX=1 each stand-in runs in bubblewrap with the package's own sandbox layout, and at
// most START_AT_ONCE start at a time, as the daemon's start gate allows: the floor under the wall time.
// Prints one line `FLOOR_RESULT {json}`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { bwrapArgs } from '../dist/sandbox/bwrap-args.js';
import { planSandbox } from '../dist/sandbox/layout.js';
import { tempDir } from './util.js';

const SESSIONS = Number(process.env['DENSITY_SESSIONS'] ?? '50');
const AGENT = process.env['DENSITY_AGENT'] ?? '';
const INTERVAL_MS = Number(process.env['STANDIN_INTERVAL_MS'] ?? '100');
const SANDBOX = process.env['DENSITY_FLOOR_SANDBOX'] === '1';
// The daemon's start gate lets this many starts run at once (src/spawner/start-gate.ts).
const START_AT_ONCE = 16;

let streaming = 0;
let cpuAllStreaming: NodeJS.CpuUsage | undefined;
let cpuFirstEnd: NodeJS.CpuUsage | undefined;
let tAll = 0;
let tFirstEnd = 0;
let lines = 0;
let t0 = 0;
let allRunningMs = Number.NaN;

// One layout for every sandbox: the floor makes no per-session files.
async function sandboxPrefix(): Promise<string[]> {
  const dir = tempDir('floor-sandbox');
  process.on('exit', () => dir.remove());
  const sub = (name: string): string => {
    mkdirSync(join(dir.path, name), { recursive: true });
    return join(dir.path, name);
  };
  const [workDir, home, configDir, runDir] = ['work', 'home', 'config', 'run'].map(sub) as [string, string, string, string];
  const plan = await planSandbox({ workDir, stateDir: sub('state'), home, configDir, runDir, socketDir: sub('run/sock'), command: AGENT, pathEnv: process.env['PATH'] ?? '' });
  return [...bwrapArgs(plan), '--'];
}

const prefix = SANDBOX ? await sandboxPrefix() : [];
const command = SANDBOX ? 'bwrap' : AGENT;
const args = SANDBOX ? [...prefix, AGENT] : [];
let starting = 0;
const waiting: (() => void)[] = [];
const startSlot = async (): Promise<() => void> => {
  if (starting >= START_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  starting += 1;
  let left = false;
  return () => {
    if (left) return;
    left = true;
    starting -= 1;
    waiting.shift()?.();
  };
};

async function session(): Promise<unknown> {
  const started = await startSlot();
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.write('{"type":"user","message":{"role":"user","content":"go"}}\n');
  let rest = '';
  let first = true;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    if (first) {
      first = false;
      started();
      streaming += 1;
      if (streaming === target) [cpuAllStreaming, tAll] = [process.cpuUsage(), performance.now()];
      if (streaming === target) allRunningMs = performance.now() - t0;
    }
    const parts = (rest + text).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) {
      const message = JSON.parse(line) as { type: string };
      lines += 1;
      if (message.type === 'result') {
        cpuFirstEnd ??= process.cpuUsage();
        if (tFirstEnd === 0) tFirstEnd = performance.now();
        child.stdin.end();
      }
    }
  });
  return once(child, 'close');
}

let target = SESSIONS;
function runAll(n: number): Promise<unknown> {
  target = n;
  return Promise.all(Array.from({ length: n }, session));
}

// As in density-child.ts, DENSITY_LOOP=0 leaves the event-loop delay unmeasured (its timer costs CPU).
const histogram = monitorEventLoopDelay({ resolution: 1 });
// One session alone first: the ideal, as in density-child.ts.
t0 = performance.now();
await runAll(1);
const idealMs = performance.now() - t0;
[streaming, lines, tFirstEnd] = [0, 0, 0];
cpuFirstEnd = cpuAllStreaming = undefined as NodeJS.CpuUsage | undefined;
if (process.env['DENSITY_LOOP'] !== '0') histogram.enable();
t0 = performance.now();
await runAll(SESSIONS);
const wallMs = performance.now() - t0;
histogram.disable();
const steadyMs = tFirstEnd - tAll;
const used = cpuAllStreaming && cpuFirstEnd ? cpuFirstEnd.user + cpuFirstEnd.system - cpuAllStreaming.user - cpuAllStreaming.system : Number.NaN;
const loopDelay = { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
console.log(`FLOOR_RESULT ${JSON.stringify({ sessions: SESSIONS, sandboxed: SANDBOX, lines, idealMs, wallMs, allRunningMs, steadyMs, loopDelay, steadyCpuUsPerMessage: used / ((SESSIONS * steadyMs) / INTERVAL_MS) })}`);
