// Case 3: the daemon's memory while one session prints 1 GiB. Runs in a fresh child process
// started with --expose-gc (bench/memory-child.ts), so earlier cases do not blur the figures.
import type { BenchCase, CaseResult } from './report.js';
import { MiB, round, runBenchChild } from './util.js';

const GOAL_MB = 64;

interface ChildResult {
  sizeMb: number;
  ms: number;
  limitMs: number;
  stopped: boolean;
  samples: number;
  gcAvailable: boolean;
  rssStart: number;
  before: NodeJS.MemoryUsage;
  peak: { rss: number; heapUsed: number; external: number; arrayBuffers: number };
  rssAfterGc: number;
  growthMb: number;
  printedBytes: number | null;
  fileBytes: number;
  fileComplete: boolean;
}

async function run(): Promise<CaseResult> {
  const r = await runBenchChild<ChildResult>(['--expose-gc', 'bench/memory-child.ts'], 'MEMORY_RESULT');
  const mb = (bytes: number): number => round(bytes / MiB);
  const growth = r.growthMb;
  return {
    name: 'memory',
    tables: [
      {
        head: ['measure', 'rss MiB', 'heapUsed MiB', 'external MiB', 'arrayBuffers MiB'],
        rows: [
          ['process start (after GC)', mb(r.rssStart), '', '', ''],
          ['baseline before spawn (after warm-up + GC)', mb(r.before.rss), mb(r.before.heapUsed), mb(r.before.external), mb(r.before.arrayBuffers)],
          ['peak while printing (sampled every 50 ms)', mb(r.peak.rss), mb(r.peak.heapUsed), mb(r.peak.external), mb(r.peak.arrayBuffers)],
          ['after completion + GC', mb(r.rssAfterGc), '', '', ''],
          ['growth (peak − baseline)', round(growth), mb(r.peak.heapUsed - r.before.heapUsed), '', ''],
        ],
      },
    ],
    notes: [
      r.stopped
        ? `STOPPED at the ${r.limitMs / 1000} s limit after taking in ${mb(r.fileBytes)} MiB of ${r.sizeMb} MiB (${round(r.fileBytes / MiB / (r.ms / 1000))} MiB/s)`
        : `${r.sizeMb} MiB printed (${r.printedBytes} bytes) in ${round(r.ms / 1000, 2)} s = ${round(r.fileBytes / MiB / (r.ms / 1000))} MiB/s`,
      `${r.samples} RSS samples; --expose-gc ${r.gcAvailable ? 'on' : 'OFF'}; no GC is forced while sampling: the peak is what the daemon really holds`,
      `stdout file on disk: ${r.fileBytes} bytes, ${r.fileComplete ? 'complete (= bytes printed)' : r.stopped ? 'not checkable (session stopped)' : `INCOMPLETE (printed ${r.printedBytes})`}`,
    ],
    goals: [
      { label: `RSS growth while printing ${r.sizeMb} MiB`, value: round(growth), unit: 'MiB', target: `< ${GOAL_MB}`, pass: growth < GOAL_MB && !r.stopped },
      { label: 'stdout file complete on disk', value: r.fileBytes, unit: 'bytes', target: `= ${r.printedBytes ?? 'bytes printed'}`, pass: r.fileComplete },
    ],
    data: { ...r, growthMb: round(growth, 2) },
  };
}

export const memory: BenchCase = { name: 'memory', title: 'Daemon memory while a session prints 1 GiB', run };
