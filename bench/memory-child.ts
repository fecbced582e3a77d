// Runs in a fresh `node --expose-gc` process (started by memory.ts): one spawner session whose
// "CLI" prints SIZE_MB of stream-json, with this process's RSS sampled every 50 ms.
// Prints one line `MEMORY_RESULT {json}`.
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClaudeSessionSpawner } from '../src/index.js';
import { checkSession, firehoseConfig, firehosePath, parseStats } from './firehose.js';
import { BENCH_MARK_VAR, benchMark, MiB, silentLogger, tempDir } from './util.js';

const SIZE_MB = Number(process.env['BENCH_MEMORY_MB'] ?? '1024');
const WARMUP_MB = 16;
const SAMPLE_MS = 50;
// The session is stopped (its wall-clock timeout) past this; the bench must end in minutes.
const LIMIT_MS = 90_000;

const gc = (globalThis as { gc?: () => void }).gc;
const settle = async (): Promise<void> => {
  gc?.();
  await sleep(100);
  gc?.();
};

const dirs = { cwd: tempDir('cwd'), state: tempDir('state') };
try {
  const spawner = new ClaudeSessionSpawner({ claudePath: firehosePath(), env: { [BENCH_MARK_VAR]: benchMark }, stateDir: dirs.state.path, logger: silentLogger });
  const session = async (mb: number) => (await spawner.spawnSession(firehoseConfig(dirs.cwd.path, mb, LIMIT_MS))).completion;

  await settle();
  const rssStart = process.memoryUsage().rss;
  // One small session first, so one-time costs (code loading, JIT) are not counted as growth.
  const warm = await session(WARMUP_MB);
  checkSession(warm, parseStats(warm.stderr));
  await settle();
  const before = process.memoryUsage();

  const peak = { rss: before.rss, heapUsed: before.heapUsed, external: before.external, arrayBuffers: before.arrayBuffers };
  let samples = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    samples += 1;
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.external = Math.max(peak.external, m.external);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  const t0 = performance.now();
  const final = await session(SIZE_MB);
  const ms = performance.now() - t0;
  sample();
  clearInterval(timer);
  const fileBytes = (await stat(final.files.stdout)).size;
  // Stopped at the limit, the fixture never reports what it printed: completeness cannot be checked.
  const stopped = final.state === 'timeout';
  const stats = stopped ? undefined : parseStats(final.stderr);
  if (stats) checkSession(final, stats);
  await settle();
  const after = process.memoryUsage().rss;
  const result = {
    sizeMb: SIZE_MB, ms, limitMs: LIMIT_MS, stopped, samples, gcAvailable: gc !== undefined, rssStart, before, peak, rssAfterGc: after,
    growthMb: (peak.rss - before.rss) / MiB, printedBytes: stats?.bytes ?? null, fileBytes, fileComplete: fileBytes === stats?.bytes,
  };
  console.log(`MEMORY_RESULT ${JSON.stringify(result)}`);
} finally {
  for (const dir of Object.values(dirs)) dir.remove();
}
