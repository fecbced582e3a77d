// The floor under the density case's CPU per message, run in a fresh process (started by density.ts): the
// same stand-ins, spawned with node:child_process and read by a bare 'data' listener that splits lines and
// parses each (what any supervisor of stream-json must do at the least), with no sandbox, files or events.
// Measured as density-child.ts measures the daemon: CPU between "every session streams" and the first end,
// and, as there, without the event-loop delay histogram when the CPU is what is measured.
// Prints one line `FLOOR_RESULT {json}`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const SESSIONS = Number(process.env['DENSITY_SESSIONS'] ?? '50');
const AGENT = process.env['DENSITY_AGENT'] ?? '';
const INTERVAL_MS = Number(process.env['STANDIN_INTERVAL_MS'] ?? '100');

let streaming = 0;
let cpuAllStreaming: NodeJS.CpuUsage | undefined;
let cpuFirstEnd: NodeJS.CpuUsage | undefined;
let tAll = 0;
let tFirstEnd = 0;
let lines = 0;

function session(): Promise<unknown> {
  const child = spawn(AGENT, [], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.write('{"type":"user","message":{"role":"user","content":"go"}}\n');
  let rest = '';
  let first = true;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    if (first) {
      first = false;
      streaming += 1;
      if (streaming === SESSIONS) [cpuAllStreaming, tAll] = [process.cpuUsage(), performance.now()];
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

// As in density-child.ts, DENSITY_LOOP=0 leaves the event-loop delay unmeasured (its timer costs CPU).
const histogram = monitorEventLoopDelay({ resolution: 1 });
if (process.env['DENSITY_LOOP'] !== '0') histogram.enable();
await Promise.all(Array.from({ length: SESSIONS }, session));
histogram.disable();
const steadyMs = tFirstEnd - tAll;
const used = cpuAllStreaming && cpuFirstEnd ? cpuFirstEnd.user + cpuFirstEnd.system - cpuAllStreaming.user - cpuAllStreaming.system : Number.NaN;
const loopDelay = { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
console.log(`FLOOR_RESULT ${JSON.stringify({ sessions: SESSIONS, lines, steadyMs, loopDelay, steadyCpuUsPerMessage: used / ((SESSIONS * steadyMs) / INTERVAL_MS) })}`);
