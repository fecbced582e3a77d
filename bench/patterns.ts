// Case: forbidden patterns over 1 MB inputs. The worst time the guard's policy takes to decide a 1 MB Bash command,
// Write content and MCP input (against /deploy.*production/i and forbidden commands), and the longest the event
// loop stalled meanwhile. Runnable alone: `npx tsx bench/patterns.ts`.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { decideToolCall, sessionPolicy } from '../src/guard/policy-worker.js';
import type { VPCharter } from '../src/index.js';
import type { BenchCase, CaseResult } from './report.js';

const MB = 1024 * 1024;
const RUNS = 5;
const WARMUP_ROUNDS = 3;
const GOAL_DECISION_MS = 50;
const GOAL_STALL_MS = 20;

const charter: VPCharter = {
  identity: { name: 'Bench VP', email: 'vp@example.com', role: 'Engineer' },
  objectives: ['Measure'],
  constraints: { forbiddenCommands: ['rm -rf', 'git push --force'], forbiddenPatterns: [/deploy.*production/i], requiredApprovals: ['deploy'] },
  resources: { maxTokens: 100_000, maxExecutionTime: 60_000, allowedTools: ['read', 'write', 'bash', 'mcp__docs'] },
};

/** About `bytes` of text lines that mention deploying (the pattern's DFA keeps partial matches alive) but never production. */
function filler(bytes: number): string {
  const line = 'then we deploy the service to staging and check the logs again\n';
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

/** The inputs: [name, tool, input]. */
function inputs(): [string, string, Record<string, unknown>][] {
  const text = filler(MB);
  return [
    ['1 MB command (here-doc)', 'Bash', { command: `cat > notes.md <<'EOF'\n${text}EOF\nwc -l notes.md` }],
    ['1 MB command (match at the end)', 'Bash', { command: `cat > notes.md <<'EOF'\n${text}EOF\n./deploy.sh production` }],
    ['1 MB command (one line of words)', 'Bash', { command: `echo ${text.replaceAll('\n', ' ')}` }],
    ['1 MB Write content', 'Write', { file_path: '/work/notes.md', content: text }],
    ['1 MB MCP input', 'mcp__docs__write_page', { title: 'Notes', body: text, tags: ['bench'] }],
  ];
}

export interface PatternBench {
  /** Per input: the worst decision time of RUNS runs, in ms, and whether the call was allowed. */
  inputs: { name: string; worstMs: number; medianMs: number; allowed: boolean }[];
  /** The worst decision time over all inputs and runs, in ms. */
  worstMs: number;
  /** The longest event-loop stall observed while the decisions ran, in ms. */
  maxEventLoopDelayMs: number;
}

/** Decides each input RUNS times (after warm-up rounds) and reports the worst times and the longest stall. */
export async function measurePatterns(): Promise<PatternBench> {
  const policy = sessionPolicy(charter);
  const cases = inputs();
  // Start the worker and let the JIT settle on each shape (a daemon decides many calls): 3 rounds, not measured.
  for (let round = 0; round < WARMUP_ROUNDS; round++) for (const [, tool, input] of cases) await decideToolCall(tool, input, policy);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const results: PatternBench['inputs'] = [];
  delay.enable();
  for (const [name, tool, input] of cases) {
    const times: number[] = [];
    let allowed = true;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      allowed = (await decideToolCall(tool, input, policy)).verdict.allowed;
      times.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 5)); // let the delay monitor sample between runs
    }
    times.sort((a, b) => a - b);
    results.push({ name, worstMs: round(times.at(-1) ?? 0), medianMs: round(times[Math.floor(times.length / 2)] ?? 0), allowed });
  }
  delay.disable();
  return { inputs: results, worstMs: Math.max(...results.map((r) => r.worstMs)), maxEventLoopDelayMs: round(delay.max / 1e6) };
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

async function run(): Promise<CaseResult> {
  const result = await measurePatterns();
  return {
    name: 'patterns',
    tables: [{ head: ['input', 'median ms', 'worst ms', 'verdict'], rows: result.inputs.map((r) => [r.name, r.medianMs, r.worstMs, r.allowed ? 'allowed' : 'blocked']) }],
    notes: [`the policy runs inputs over 16 KB in a worker thread; the event loop's longest stall was ${result.maxEventLoopDelayMs} ms`],
    goals: [
      { label: 'worst decision, 1 MB pattern inputs', value: result.worstMs, unit: 'ms', target: `< ${GOAL_DECISION_MS} ms`, pass: result.worstMs < GOAL_DECISION_MS },
      { label: 'longest event-loop stall meanwhile', value: result.maxEventLoopDelayMs, unit: 'ms', target: `< ${GOAL_STALL_MS} ms`, pass: result.maxEventLoopDelayMs < GOAL_STALL_MS },
    ],
    data: { ...result },
  };
}

export const patterns: BenchCase = { name: 'patterns', title: 'forbidden patterns over 1 MB inputs: decision time and event-loop stalls', run };

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await measurePatterns();
  for (const r of result.inputs) console.log(`${r.name.padEnd(34)} median ${String(r.medianMs).padStart(6)} ms  worst ${String(r.worstMs).padStart(6)} ms  ${r.allowed ? 'allowed' : 'blocked'}`);
  console.log(`worst decision ${result.worstMs} ms (goal < ${GOAL_DECISION_MS}); longest event-loop stall ${result.maxEventLoopDelayMs} ms (goal < ${GOAL_STALL_MS})`);
}
