// Case: one real CLI session started sandboxed (bubblewrap + exec guard) against the same session unsandboxed,
// through the same spawner options otherwise. Interleaved pairs, order alternating.
import { join } from 'node:path';
import { ClaudeSessionSpawner, resolveClaudePath, type ClaudeSessionStatus } from '../src/index.js';
import { say, scenarioMarker, startModelServer } from '../src/testing/index.js';
import type { BenchCase, CaseResult } from './report.js';
import { BENCH_MARK_VAR, benchMark, median, p90, repoRoot, round, sessionConfig, silentLogger, tempDir } from './util.js';

const WARMUP_PAIRS = 2;
const PAIRS = 10;
const GOAL_RATIO = 1.1;

async function run(): Promise<CaseResult> {
  const server = await startModelServer({ scenarios: [{ name: 'ok', steps: [say('ok')] }] });
  const dirs = { cwd: tempDir('cwd'), config: tempDir('config'), state: tempDir('state'), home: tempDir('home') };
  try {
    const command = resolveClaudePath(join(repoRoot, 'node_modules/.bin/claude'));
    const env = { ...server.env, HOME: dirs.home.path, CLAUDE_CONFIG_DIR: dirs.config.path, [BENCH_MARK_VAR]: benchMark };
    const config = sessionConfig(dirs.cwd.path, `Say ok. ${scenarioMarker('ok')}`, 60_000);
    // Both per-session config folders, so the only difference is the sandbox itself.
    const make = (isolation: 'sandbox' | 'none') =>
      new ClaudeSessionSpawner({ claudePath: command, env, stateDir: dirs.state.path, logger: silentLogger, isolation, claudeConfigDir: 'per-session' });
    const spawners = { sandbox: make('sandbox'), none: make('none') };
    const once = async (which: 'sandbox' | 'none'): Promise<number> => {
      const t0 = performance.now();
      const final: ClaudeSessionStatus = await (await spawners[which].spawnSession(config)).completion;
      if (final.state !== 'completed') throw new Error(`${which} session ended ${final.state}: ${final.errorMessage ?? ''} ${final.stderr}`);
      return performance.now() - t0;
    };
    const times = { sandbox: [] as number[], none: [] as number[] };
    for (let i = 0; i < WARMUP_PAIRS + PAIRS; i += 1) {
      const order: ('sandbox' | 'none')[] = i % 2 === 0 ? ['sandbox', 'none'] : ['none', 'sandbox'];
      const pair = { sandbox: 0, none: 0 };
      for (const which of order) pair[which] = await once(which);
      if (i < WARMUP_PAIRS) continue;
      times.sandbox.push(pair.sandbox);
      times.none.push(pair.none);
    }
    const ratio = median(times.sandbox) / median(times.none);
    const row = (name: string, t: number[]) => [name, t.length, round(median(t)), round(p90(t)), round(Math.min(...t)), round(Math.max(...t))];
    return {
      name: 'sandbox-start',
      tables: [{ head: ['isolation', 'runs', 'median ms', 'p90 ms', 'min ms', 'max ms'], rows: [row('none', times.none), row('sandbox', times.sandbox)] }],
      notes: [
        `${command}; spawnSession → completion of a one-answer session; ${WARMUP_PAIRS} warm-up pairs, then ${PAIRS} interleaved pairs`,
        `the sandbox adds ${round(median(times.sandbox) - median(times.none))} ms at the median (bwrap, mounts, the exec guard preloaded into every program)`,
      ],
      goals: [{ label: 'sandbox/none median session time', value: round(ratio, 3), unit: 'x', target: `<= ${GOAL_RATIO}`, pass: ratio <= GOAL_RATIO }],
      data: { ratio, sandboxMs: times.sandbox.map((t) => round(t)), noneMs: times.none.map((t) => round(t)) },
    };
  } finally {
    await server.close();
    for (const dir of Object.values(dirs)) dir.remove();
  }
}

export const sandboxStart: BenchCase = { name: 'sandbox-start', title: 'Session start in the bubblewrap sandbox against unsandboxed', run };
