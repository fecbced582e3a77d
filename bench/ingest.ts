// Case 2: stream-json ingestion. The firehose fixture prints SIZE_MB of stream-json; the spawner
// (file write + tail + line split + JSON.parse + metrics) against a bare consumer (split + JSON.parse).
import { rm, stat } from 'node:fs/promises';
import { ClaudeSessionSpawner } from '../src/index.js';
import { checkSession, firehoseConfig, firehosePath, parseStats } from './firehose.js';
import { captureInvocation, promptLine, renew, runRaw, type Invocation } from './raw.js';
import type { BenchCase, CaseResult } from './report.js';
import { BENCH_MARK_VAR, benchMark, median, MiB, round, silentLogger, tempDir } from './util.js';

const SIZE_MB = 256;
const WARMUP_MB = 32;
const RUNS = 3;
// A spawner run is stopped (its wall-clock timeout) past this; the bench must end in minutes.
const LIMIT_MS = 60_000;
const GOAL_RATIO = 0.8;

interface Run {
  mb: number;
  ms: number;
  bytes: number;
  mbps: number;
  stopped: boolean;
}

async function run(): Promise<CaseResult> {
  const dirs = { cwd: tempDir('cwd'), state: tempDir('state') };
  try {
    const command = firehosePath();
    const env = { [BENCH_MARK_VAR]: benchMark };
    const spawner = new ClaudeSessionSpawner({ claudePath: command, env, stateDir: dirs.state.path, logger: silentLogger });
    // The baseline reuses exactly what the spawner's first process was started with.
    let captured: Invocation | undefined;
    spawner.on('session-spawned', ({ pid }) => {
      captured ??= captureInvocation(pid, command);
    });

    const viaSpawner = async (mb: number): Promise<Run> => {
      const t0 = performance.now();
      const { completion } = await spawner.spawnSession(firehoseConfig(dirs.cwd.path, mb, LIMIT_MS));
      const final = await completion;
      const ms = performance.now() - t0;
      const onDisk = (await stat(final.files.stdout)).size;
      await rm(final.files.dir, { recursive: true, force: true });
      // Stopped at the limit: what it took in by then (its stdout file), over the time it had.
      if (final.state === 'timeout') return { mb, ms, bytes: onDisk, mbps: onDisk / MiB / (ms / 1000), stopped: true };
      const stats = parseStats(final.stderr);
      checkSession(final, stats);
      if (onDisk !== stats.bytes) throw new Error(`stdout file has ${onDisk} bytes, the fixture printed ${stats.bytes}`);
      return { mb, ms, bytes: stats.bytes, mbps: stats.bytes / MiB / (ms / 1000), stopped: false };
    };
    const viaRaw = async (mb: number): Promise<Run> => {
      if (!captured) throw new Error('no spawner process captured yet');
      const inv = renew(captured);
      inv.env['FIREHOSE_MB'] = String(mb);
      const raw = await runRaw(inv, dirs.cwd.path, promptLine(firehoseConfig(dirs.cwd.path, mb, LIMIT_MS)), true, LIMIT_MS);
      const stats = parseStats(raw.stderr);
      if (raw.exitCode !== 0 || raw.lines !== stats.lines) throw new Error(`baseline parsed ${raw.lines}/${stats.lines} lines, exit ${raw.exitCode}`);
      return { mb, ms: raw.totalMs, bytes: stats.bytes, mbps: stats.bytes / MiB / (raw.totalMs / 1000), stopped: false };
    };

    // Warm-up (the spawner first: its process gives the baseline its argv and environment).
    const warm = [await viaSpawner(WARMUP_MB), await viaRaw(WARMUP_MB)];
    const base: Run[] = [];
    const sup: Run[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      // A spawner run that hit the limit is not repeated: the next ones would only add minutes.
      const more = !sup.some((r) => r.stopped);
      if (i % 2 === 0) {
        base.push(await viaRaw(SIZE_MB));
        if (more) sup.push(await viaSpawner(SIZE_MB));
      } else {
        if (more) sup.push(await viaSpawner(SIZE_MB));
        base.push(await viaRaw(SIZE_MB));
      }
    }
    const b = median(base.map((r) => r.mbps));
    const s = median(sup.map((r) => r.mbps));
    const ratio = s / b;
    const row = (path: string, r: Run, i: number | string) =>
      [path, i, r.mb, round(r.bytes / MiB), round(r.ms), round(r.mbps), r.stopped ? `stopped at the ${LIMIT_MS / 1000} s limit` : ''];
    const warmRatio = (warm[0]?.mbps ?? 0) / (warm[1]?.mbps ?? 1);
    return {
      name: 'ingest',
      tables: [
        {
          head: ['path', 'run', 'size MiB', 'MiB taken in', 'ms', 'MiB/s', ''],
          rows: [
            row('bare baseline', warm[1] as Run, 'warm-up'),
            row('spawner', warm[0] as Run, 'warm-up'),
            ...base.map((r, i) => row('bare baseline', r, i + 1)),
            ...sup.map((r, i) => row('spawner', r, i + 1)),
          ],
        },
        {
          head: ['path', `median MiB/s (${SIZE_MB} MiB)`, 'vs baseline', `warm-up ${WARMUP_MB} MiB vs baseline`],
          rows: [['bare baseline', round(b), 1, 1], ['spawner', round(s), round(ratio, 3), round(warmRatio, 3)]],
        },
      ],
      notes: [
        `fixture bench/fixtures/firehose.mjs (lines 270-1900 B, one message id per model call), ${base.length} baseline and ${sup.length} spawner runs, interleaved`,
        'baseline = raw spawn, stdout.on("data") → StringDecoder → split("\\n") → JSON.parse every line; timed spawn → exit',
        'spawner = spawnSession → completion; each full run checked: completed, every tool_use counted, stdout file = bytes printed',
      ],
      goals: [{ label: 'spawner/baseline throughput', value: round(ratio, 3), unit: 'x', target: `>= ${GOAL_RATIO}`, pass: ratio >= GOAL_RATIO && !sup.some((r) => r.stopped) }],
      data: { sizeMb: SIZE_MB, baselineMBps: round(b, 2), spawnerMBps: round(s, 2), ratio, warmupRatio: warmRatio, warmup: warm, baselineRuns: base, spawnerRuns: sup },
    };
  } finally {
    for (const dir of Object.values(dirs)) dir.remove();
  }
}

export const ingest: BenchCase = { name: 'ingest', title: `Stream-json ingestion throughput (${SIZE_MB} MiB)`, run };
