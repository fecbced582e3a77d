// Case 1: one real CLI session (the model server answers `say('ok')`) through the spawner,
// against a raw child_process.spawn of the same binary, argv and environment. Interleaved.
import { join } from 'node:path';
import { ClaudeSessionSpawner, resolveClaudePath } from '../src/index.js';
import { say, scenarioMarker, startModelServer } from '../src/testing/index.js';
import { captureInvocation, promptLine, renew, runRaw, type Invocation } from './raw.js';
import type { BenchCase, CaseResult } from './report.js';
import { BENCH_MARK_VAR, benchMark, median, p90, repoRoot, round, sessionConfig, silentLogger, tempDir } from './util.js';

const WARMUP_PAIRS = 2;
const PAIRS = 12;
const TIMEOUT_MS = 60_000;
const GOAL_RATIO = 1.05;

interface Timing {
  totalMs: number;
  /** Until the process runs: for the spawner, until spawnSession() resolves. */
  spawnedMs: number;
  resultMs: number;
}

async function run(): Promise<CaseResult> {
  const server = await startModelServer({ scenarios: [{ name: 'ok', steps: [say('ok')] }] });
  const dirs = { cwd: tempDir('cwd'), config: tempDir('config'), state: tempDir('state') };
  try {
    const command = resolveClaudePath(join(repoRoot, 'node_modules/.bin/claude'));
    const env = { ...server.env, CLAUDE_CONFIG_DIR: dirs.config.path, [BENCH_MARK_VAR]: benchMark };
    const config = sessionConfig(dirs.cwd.path, `Say ok. ${scenarioMarker('ok')}`, TIMEOUT_MS);
    // Unsandboxed: this case measures the supervisor itself (the sandbox has its own case, sandbox-start).
    const spawner = new ClaudeSessionSpawner({ claudePath: command, env, stateDir: dirs.state.path, logger: silentLogger, isolation: 'none' });
    let resultAt = Number.NaN;
    spawner.on('session-message', ({ message }) => {
      if (message.type === 'result') resultAt = performance.now();
    });
    // The raw runs reuse exactly what the spawner's first process was started with.
    let captured: Invocation | undefined;
    spawner.on('session-spawned', ({ pid }) => {
      captured ??= captureInvocation(pid, command);
    });

    const viaSpawner = async (): Promise<Timing> => {
      resultAt = Number.NaN;
      const t0 = performance.now();
      const { completion } = await spawner.spawnSession(config);
      const spawnedMs = performance.now() - t0;
      const final = await completion;
      const totalMs = performance.now() - t0;
      if (final.state !== 'completed') throw new Error(`spawner session ended ${final.state}: ${final.errorMessage ?? ''} ${final.stderr}`);
      return { totalMs, spawnedMs, resultMs: resultAt - t0 };
    };
    const stdinLine = promptLine(config);
    const viaRaw = async (): Promise<Timing> => {
      if (!captured) throw new Error('no spawner process captured yet');
      const run = await runRaw(renew(captured), dirs.cwd.path, stdinLine, false, TIMEOUT_MS);
      if (run.exitCode !== 0) throw new Error(`raw CLI exited ${run.exitCode}: ${run.stderr.slice(-500)}`);
      return run;
    };

    const raw: Timing[] = [];
    const sup: Timing[] = [];
    for (let i = 0; i < WARMUP_PAIRS + PAIRS; i += 1) {
      // Alternate which goes first (the spawner first in the first pair, to capture its invocation).
      let r: Timing;
      let s: Timing;
      if (i % 2 === 0) {
        s = await viaSpawner();
        r = await viaRaw();
      } else {
        r = await viaRaw();
        s = await viaSpawner();
      }
      if (i < WARMUP_PAIRS) continue;
      raw.push(r);
      sup.push(s);
    }

    const stat = (t: Timing[]) => {
      const total = t.map((x) => x.totalMs);
      return {
        median: median(total), p90: p90(total), min: Math.min(...total), max: Math.max(...total),
        spawned: median(t.map((x) => x.spawnedMs)), toResult: median(t.map((x) => x.resultMs)),
        afterResult: median(t.map((x) => x.totalMs - x.resultMs)),
      };
    };
    const r = stat(raw);
    const s = stat(sup);
    const ratio = s.median / r.median;
    // The CLI's own work (running → result) is the same on both paths; the supervisor adds time before and after it.
    const ownMs = s.spawned - r.spawned + (s.afterResult - r.afterResult);
    const row = (name: string, x: ReturnType<typeof stat>) =>
      [name, raw.length, round(x.median), round(x.p90), round(x.min), round(x.max), round(x.spawned), round(x.toResult), round(x.afterResult)];
    return {
      name: 'spawn-overhead',
      tables: [{
        head: ['path', 'runs', 'median ms', 'p90 ms', 'min ms', 'max ms', 'start→running (med)', 'start→result (med)', 'result→done (med)'],
        rows: [
          row('raw spawn', r),
          row('spawner', s),
          ['spawner − raw', '', round(s.median - r.median), round(s.p90 - r.p90), '', '', round(s.spawned - r.spawned), round(s.toResult - r.toResult), round(s.afterResult - r.afterResult)],
        ],
      }],
      notes: [
        `${command}, ${captured?.args.length ?? 0} args; ${WARMUP_PAIRS} warm-up pairs, then ${PAIRS} interleaved pairs (order alternating)`,
        "raw argv/env = the spawner's own process's, read from /proc (fresh --session-id and session marker per run)",
        'raw = spawn → user message on stdin → stdout until the "type":"result" line → end stdin → exit event',
        'spawner = spawnSession(config) → await completion (charter + guard setup, process reap, file flush, status.json)',
        `supervisor's own time (medians, before running + after result): ${round(ownMs)} ms = ${round((100 * ownMs) / r.median)} % of a raw session`,
      ],
      goals: [{ label: 'spawner/raw median time', value: round(ratio, 3), unit: 'x', target: `<= ${GOAL_RATIO}`, pass: ratio <= GOAL_RATIO }],
      data: { raw: r, spawner: s, ratio, supervisorOwnMs: ownMs, rawRunsMs: raw.map((x) => round(x.totalMs)), spawnerRunsMs: sup.map((x) => round(x.totalMs)) },
    };
  } finally {
    await server.close();
    for (const dir of Object.values(dirs)) dir.remove();
  }
}

export const spawnOverhead: BenchCase = { name: 'spawn-overhead', title: 'Spawner overhead on one real CLI session', run };
