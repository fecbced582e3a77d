import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { CrashAnalysis } from '../../src/session/crash.js';
import { crashDumpFileName, pruneCrashDumps, writeCrashDump, type CrashDump } from '../../src/recovery/crash-dump.js';

const ANALYSIS: CrashAnalysis = {
  crashType: 'segfault',
  crashClass: 'segfault',
  confidence: 0.95,
  rootCause: 'Process ended on SIGSEGV while running',
  recommendation: 'Retry',
  suggestedFixes: ['Pin the CLI version'],
  evidence: ['signal=SIGSEGV'],
};

const dump = (overrides: Partial<CrashDump> = {}): CrashDump => ({
  sessionId: 'sess-1',
  timestamp: new Date('2025-03-04T05:06:07.089Z'),
  analysis: ANALYSIS,
  exitCode: null,
  signal: 'SIGSEGV',
  state: 'crashed',
  outcome: { reason: 'signal:SIGSEGV' },
  stdoutTail: '',
  stderrTail: '',
  lastMessages: [],
  timings: { startTime: '2025-03-04T05:06:00.000Z', endTime: '2025-03-04T05:06:07.089Z', executionTimeMs: 7089 },
  attempts: [],
  config: {},
  ...overrides,
});

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vp-crash-dump-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

void describe('writeCrashDump', () => {
  void it('writes one JSON file named by time and session, mode 0o600, in a 0o700 folder it creates', async () => {
    const folder = join(dir, 'nested', 'dumps');
    const path = await writeCrashDump(folder, dump(), {});
    assert.equal(path, resolve(folder, 'crash-2025-03-04T05-06-07-089Z-sess-1.json'));
    const parsed = JSON.parse(await readFile(path, 'utf8')) as CrashDump;
    assert.equal(parsed.sessionId, 'sess-1');
    assert.equal(parsed.timestamp, '2025-03-04T05:06:07.089Z');
    assert.deepEqual(parsed.analysis, ANALYSIS);
    if (process.platform !== 'win32') {
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.equal((await stat(folder)).mode & 0o777, 0o700);
    }
    assert.deepEqual(await readdir(folder), [basename(path)], 'no temporary file is left behind');
  });

  void it('keeps an earlier dump with the same name', async () => {
    const first = await writeCrashDump(dir, dump(), {});
    const second = await writeCrashDump(dir, dump({ state: 'timeout' }), {});
    assert.notEqual(first, second);
    assert.match(basename(second), /^crash-2025-03-04T05-06-07-089Z-sess-1-1\.json$/);
    assert.equal((JSON.parse(await readFile(first, 'utf8')) as CrashDump).state, 'crashed');
  });

  const MALICIOUS = ['../../etc/passwd', '/abs', '/etc/cron.d/x', 'a/../../b', '..', '.', '', '\0', 'a\0b', '..\\..\\win', 'C:\\x', 'x'.repeat(5000), '😀/..', '\n../x'];
  for (const sessionId of MALICIOUS) {
    void it(`keeps session id ${JSON.stringify(sessionId.slice(0, 20))} inside the folder`, async () => {
      const name = crashDumpFileName(sessionId, new Date(0));
      assert.match(name, /^crash-1970-01-01T00-00-00-000Z-[A-Za-z0-9_-]{1,80}\.json$/);
      const path = await writeCrashDump(dir, dump({ sessionId }), {});
      assert.equal(dirname(path), resolve(dir));
      assert.ok(path.startsWith(resolve(dir) + sep));
      assert.deepEqual((await readdir(dir)).length, 1);
    });
  }

  void it('uses the current time for an invalid timestamp', () => {
    assert.match(crashDumpFileName('s', 'not a date'), /^crash-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-s\.json$/);
  });

  void it('never writes secrets: known formats, given values, secret-named config keys', async () => {
    const custom = 'my-custom-secret-value"with\\quotes';
    const path = await writeCrashDump(
      dir,
      dump({
        sessionId: 'sess-sk-ant-abcdefghij12345',
        stderrTail: 'auth with sk-ant-abcdefghij12345 failed',
        stdoutTail: `echo ${custom}`,
        lastMessages: [{ type: 'assistant', text: 'the key is sk-ant-abcdefghij12345' }],
        attempts: [{ attempt: 1, error: new Error(`failed with ${custom}`) }],
        config: {
          environmentVariables: { GITHUB_TOKEN: 'plain-looking-value-123', API_KEY: 'another-plain-value-456', HOME: '/home/vp' },
          nested: { deeper: [{ password: 'hunter2hunter2' }] },
          credentials: { user: 'someone-readable', tries: 3 },
          charter: { resources: { maxTokens: 100_000 } },
          note: custom,
        },
      }),
      { secrets: [custom] },
    );
    const text = await readFile(path, 'utf8');
    for (const secret of ['sk-ant-abcdefghij12345', 'my-custom-secret-value', 'plain-looking-value-123', 'another-plain-value-456', 'hunter2hunter2', 'someone-readable']) {
      assert.ok(!text.includes(secret), `${secret} leaked`);
    }
    assert.ok(!basename(path).includes('sk-ant'));
    const parsed = JSON.parse(text) as { config: Record<string, Record<string, unknown>>; attempts: { error: { message: string } }[] };
    assert.equal(parsed.config['environmentVariables']?.['GITHUB_TOKEN'], '[redacted]');
    assert.equal(parsed.config['environmentVariables']?.['HOME'], '/home/vp');
    assert.deepEqual(parsed.config['credentials'], { user: '[redacted]', tries: 3 });
    assert.deepEqual(parsed.config['charter'], { resources: { maxTokens: 100_000 } });
    assert.equal(parsed.attempts[0]?.error.message, 'failed with [redacted]');
  });

  void it('writes RegExp values as their source, Dates as ISO, and cuts cycles', async () => {
    const config: Record<string, unknown> = {
      charter: { constraints: { forbiddenPatterns: [/deploy.*production/i, /force.*push/] } },
      since: new Date('2025-01-01T00:00:00.000Z'),
      big: 10n,
    };
    config['self'] = config;
    const parsed = JSON.parse(await readFile(await writeCrashDump(dir, dump({ config }), {}), 'utf8')) as { config: Record<string, unknown> };
    assert.deepEqual(parsed.config, {
      charter: { constraints: { forbiddenPatterns: ['/deploy.*production/i', '/force.*push/'] } },
      since: '2025-01-01T00:00:00.000Z',
      big: '10',
      self: '[circular]',
    });
  });
});

void describe('pruneCrashDumps', () => {
  const NOW = Date.parse('2025-06-01T00:00:00.000Z');
  const DAY = 86_400_000;

  /** Writes `crash-<i>.json` files aged `ages[i]` days before NOW. */
  async function seed(ages: number[]): Promise<string[]> {
    const names: string[] = [];
    for (const [i, age] of ages.entries()) {
      const name = `crash-${i}.json`;
      await writeFile(join(dir, name), '{}');
      const when = new Date(NOW - age * DAY);
      await utimes(join(dir, name), when, when);
      names.push(name);
    }
    return names;
  }

  void it('keeps the newest maxFiles', async () => {
    await seed([5, 1, 3, 2, 4]);
    assert.equal(await pruneCrashDumps(dir, { maxFiles: 2, maxAgeMs: Infinity, nowMs: NOW }), 3);
    assert.deepEqual((await readdir(dir)).sort(), ['crash-1.json', 'crash-3.json']);
  });

  void it('deletes dumps older than maxAgeMs', async () => {
    await seed([10, 1, 8, 2]);
    assert.equal(await pruneCrashDumps(dir, { maxFiles: 100, maxAgeMs: 7 * DAY, nowMs: NOW }), 2);
    assert.deepEqual((await readdir(dir)).sort(), ['crash-1.json', 'crash-3.json']);
  });

  void it('applies both limits, and touches only files it writes', async () => {
    await seed([1, 2, 3, 30]);
    await writeFile(join(dir, 'notes.json'), '{}');
    await writeFile(join(dir, 'crash-keep.txt'), 'x');
    await mkdir(join(dir, 'crash-folder.json'));
    const old = new Date(NOW - 100 * DAY);
    for (const name of ['notes.json', 'crash-keep.txt', 'crash-folder.json']) await utimes(join(dir, name), old, old);
    assert.equal(await pruneCrashDumps(dir, { maxFiles: 2, maxAgeMs: 7 * DAY, nowMs: NOW }), 2);
    assert.deepEqual((await readdir(dir)).sort(), ['crash-0.json', 'crash-1.json', 'crash-folder.json', 'crash-keep.txt', 'notes.json']);
  });

  void it('prunes real dumps written by writeCrashDump', async () => {
    for (const id of ['a', 'b', 'c']) await writeCrashDump(dir, dump({ sessionId: id }), {});
    assert.equal(await pruneCrashDumps(dir, { maxFiles: 1, maxAgeMs: Infinity }), 2);
    assert.equal((await readdir(dir)).length, 1);
  });

  void it('counts 0 for a missing folder and rejects bad limits', async () => {
    assert.equal(await pruneCrashDumps(join(dir, 'missing'), { maxFiles: 1, maxAgeMs: 1 }), 0);
    await assert.rejects(pruneCrashDumps(dir, { maxFiles: -1, maxAgeMs: 1 }), RangeError);
    await assert.rejects(pruneCrashDumps(dir, { maxFiles: 1.5, maxAgeMs: 1 }), RangeError);
    await assert.rejects(pruneCrashDumps(dir, { maxFiles: 1, maxAgeMs: Number.NaN }), RangeError);
  });
});
