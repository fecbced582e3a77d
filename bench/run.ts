// `npm run bench [-- filter...]`: runs the cases whose name contains a filter (all by default),
// prints a table per case, a summary of the goals, then one JSON line.
import { cpus, loadavg } from 'node:os';
import { dashboardBench } from './dashboard.js';
import { density } from './density.js';
import { fleetBench } from './fleet.js';
import { ingest } from './ingest.js';
import { memory } from './memory.js';
import { patterns } from './patterns.js';
import { poolThroughput, warmStart } from './pool.js';
import { printTable, verdict, type BenchCase, type CaseResult, type Goal } from './report.js';
import { sandboxStart } from './sandbox.js';
import { execGuard } from './exec-guard.js';
import { spawnOverhead } from './spawn-overhead.js';
import { killLeftovers } from './util.js';
import { workspaceBench } from './workspace.js';

const ALL: BenchCase[] = [spawnOverhead, sandboxStart, execGuard, patterns, ingest, memory, poolThroughput, warmStart, density, workspaceBench, dashboardBench, fleetBench];
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const cases = ALL.filter((c) => filters.length === 0 || filters.some((f) => c.name.includes(f)));
if (cases.length === 0) {
  console.error(`No case matches ${filters.join(', ')}; cases: ${ALL.map((c) => c.name).join(', ')}`);
  process.exit(2);
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`vp-daemon bench: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load()}`);
const started = performance.now();
const results: CaseResult[] = [];
const failures: { name: string; error: string }[] = [];
for (const c of cases) {
  console.log(`\n== ${c.name}: ${c.title}`);
  const t0 = performance.now();
  try {
    const result = await c.run();
    results.push(result);
    for (const table of result.tables) printTable(table);
    for (const note of result.notes) console.log(`  · ${note}`);
  } catch (error) {
    failures.push({ name: c.name, error: String((error as Error).stack ?? error) });
    console.log(`  ERROR ${String(error)}`);
  }
  console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

const leftovers = killLeftovers();
const goals: (Goal & { case: string })[] = results.flatMap((r) => r.goals.map((g) => ({ case: r.name, ...g })));
console.log('\n== Summary');
printTable({
  head: ['case', 'goal', 'measured', 'target', 'verdict'],
  rows: [
    ...goals.map((g) => [g.case, g.label, `${g.value} ${g.unit}`, g.target, verdict(g.pass)]),
    ...failures.map((f) => [f.name, '(case failed)', '-', '-', 'ERROR']),
  ],
});
console.log(`  processes left running after the bench: ${leftovers}${leftovers > 0 ? ' (killed now)' : ''}`);
console.log(`  total ${((performance.now() - started) / 1000).toFixed(1)} s; load average now ${load()} (other work on the machine skews timings)`);
console.log(
  JSON.stringify({
    bench: 'vp-daemon',
    node: process.version,
    cpus: cpus().length,
    loadavg: loadavg(),
    goals: goals.map((g) => ({ case: g.case, goal: g.label, value: g.value, unit: g.unit, target: g.target, pass: g.pass })),
    failures,
    leftoverProcesses: leftovers,
    cases: Object.fromEntries(results.map((r) => [r.name, r.data])),
  }),
);
process.exitCode = failures.length > 0 || leftovers > 0 ? 1 : 0;
