// SessionRecoveryManager driven by an in-memory spawner: limits, strategies, backoff (fake timers), stats.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SessionRecoveryManager, type ClaudeSessionConfig, type ClaudeSessionStatus, type SpawnerEvents, type SpawnResult } from '../../src/index.js';
import { makeConfig, tempDir, waitFor } from '../helpers/fixtures.js';
import { makeStatus } from './status.js';

const segfault = (sessionId: string): ClaudeSessionStatus =>
  makeStatus({ sessionId, state: 'crashed', signal: 'SIGSEGV', outcome: { reason: 'signal:SIGSEGV' } });
const completed = (sessionId: string): ClaudeSessionStatus => makeStatus({ sessionId, state: 'completed', outcome: { reason: 'completed' } });

/** A spawner whose sessions end at once with the next scripted status. */
class ScriptedSpawner extends EventEmitter<SpawnerEvents> {
  readonly spawned: ClaudeSessionConfig[] = [];
  readonly configs = new Map<string, ClaudeSessionConfig>();
  constructor(private readonly script: ((id: string) => ClaudeSessionStatus)[]) {
    super();
  }
  spawnSession(config: ClaudeSessionConfig): Promise<SpawnResult> {
    const sessionId = `s${this.spawned.length}`;
    this.spawned.push(config);
    this.configs.set(sessionId, config);
    const make = this.script[Math.min(this.spawned.length - 1, this.script.length - 1)] ?? segfault;
    const status = make(sessionId);
    const completion = new Promise<ClaudeSessionStatus>((resolve) =>
      queueMicrotask(() => {
        this.emit('session-ended', { sessionId, status });
        resolve(status);
      }),
    );
    return Promise.resolve({ sessionId, status, completion });
  }
  getSessionConfig(sessionId: string): ClaudeSessionConfig | undefined {
    return this.configs.get(sessionId);
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
};

describe('SessionRecoveryManager', () => {
  let dumps: ReturnType<typeof tempDir>;
  beforeEach(() => (dumps = tempDir('vp-dumps-')));
  afterEach(() => dumps.remove());

  it('tries a session that always crashes exactly maxRetries times, then reports failure', async () => {
    const spawner = new ScriptedSpawner([segfault]);
    const manager = new SessionRecoveryManager(spawner, { maxRetries: 3, strategy: 'immediate', crashDumpDirectory: dumps.path });
    const events: string[] = [];
    for (const name of ['crash-detected', 'recovery-attempt', 'recovery-attempt-failed', 'recovery-succeeded', 'recovery-failed'] as const) {
      manager.on(name, () => events.push(name));
    }
    // Dumps are written in the background; crash-dump-saved tells when each is on disk.
    let saved = 0;
    manager.on('crash-dump-saved', () => (saved += 1));
    const failed = new Promise((r) => manager.once('recovery-failed', r));
    await spawner.spawnSession(makeConfig('/tmp'));
    await failed;
    assert.equal(spawner.spawned.length, 4, 'the original run and three attempts');
    assert.equal(events.filter((e) => e === 'recovery-attempt').length, 3);
    assert.equal(events.filter((e) => e === 'crash-detected').length, 1, 'one crash chain');
    assert.ok(!events.includes('recovery-succeeded'));
    const stats = manager.getRecoveryStats();
    assert.deepEqual(
      { c: stats.totalCrashes, a: stats.totalRecoveryAttempts, s: stats.successfulRecoveries, f: stats.failedRecoveries, r: stats.recoveryRate },
      { c: 1, a: 3, s: 0, f: 1, r: 0 },
    );
    await waitFor(() => saved === 4, 5000, 'four crash dumps');
    assert.equal(readdirSync(dumps.path).filter((f) => f.startsWith('crash-')).length, 4, 'one dump per crash');
    manager.close();
  });

  it('succeeds only when the new session completes, and resumes the crashed conversation', async () => {
    const spawner = new ScriptedSpawner([segfault, segfault, completed]);
    const manager = new SessionRecoveryManager(spawner, { strategy: 'immediate', crashDumpDirectory: dumps.path });
    const succeeded = new Promise<{ attemptNumber: number; newSessionId: string }>((r) => manager.once('recovery-succeeded', r));
    await spawner.spawnSession(makeConfig('/tmp'));
    const { attemptNumber, newSessionId } = await succeeded;
    assert.equal(attemptNumber, 2);
    assert.equal(newSessionId, 's2');
    assert.equal(spawner.spawned[1]?.resumeClaudeSessionId, '00000000-0000-4000-8000-000000000001');
    const stats = manager.getRecoveryStats();
    assert.equal(stats.successfulRecoveries, 1);
    assert.equal(stats.recoveryRate, 1);
    assert.equal(stats.avgAttemptsPerRecovery, 2);
    manager.close();
  });

  it('never retries an auth failure, a budget stop or a requested stop', async () => {
    const auth = (id: string) =>
      makeStatus({ sessionId: id, state: 'failed', exitCode: 1, outcome: { reason: 'api_error:auth' }, evidence: { isError: true, apiErrorStatus: 401, assistantError: 'authentication_failed' } });
    const spawner = new ScriptedSpawner([auth]);
    const manager = new SessionRecoveryManager(spawner, { strategy: 'immediate', crashDumpDirectory: dumps.path });
    const analyzed: string[] = [];
    manager.on('crash-analyzed', ({ analysis }) => analyzed.push(analysis.crashClass));
    const failed = new Promise<{ reason: string }>((r) => manager.once('recovery-failed', r));
    await spawner.spawnSession(makeConfig('/tmp'));
    assert.match((await failed).reason, /auth/);
    assert.deepEqual(analyzed, ['auth']);
    assert.equal(spawner.spawned.length, 1);

    const stops = new ScriptedSpawner([
      (id) => makeStatus({ sessionId: id, state: 'terminated', outcome: { reason: 'terminated' } }),
      (id) => makeStatus({ sessionId: id, state: 'failed', outcome: { reason: 'budget:tokens' } }),
      (id) => makeStatus({ sessionId: id, state: 'failed', outcome: { reason: 'budget:cost' }, evidence: { resultSubtype: 'error_max_budget_usd', isError: true } }),
    ]);
    const quiet = new SessionRecoveryManager(stops, { strategy: 'immediate', crashDumpDirectory: dumps.path });
    for (let i = 0; i < 3; i += 1) await (await stops.spawnSession(makeConfig('/tmp'))).completion;
    await flush();
    assert.equal(quiet.getRecoveryStats().totalCrashes, 0);
    assert.equal(stops.spawned.length, 3);
    manager.close();
    quiet.close();
  });

  it('waits retryDelay * backoffMultiplier^(n-1) between attempts (fake timers)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const spawner = new ScriptedSpawner([segfault]);
    const manager = new SessionRecoveryManager(spawner, {
      strategy: 'delayed',
      retryDelay: 5000,
      backoffMultiplier: 2,
      jitter: 0,
      maxRetries: 3,
      saveCrashDumps: false,
    });
    await spawner.spawnSession(makeConfig('/tmp'));
    await flush();
    const expectAttemptsAfter = async (ms: number, attempts: number): Promise<void> => {
      t.mock.timers.tick(ms);
      await flush();
      assert.equal(spawner.spawned.length - 1, attempts, `attempts after ${ms} more ms`);
    };
    await expectAttemptsAfter(4999, 0);
    await expectAttemptsAfter(1, 1);
    await expectAttemptsAfter(9999, 1);
    await expectAttemptsAfter(1, 2);
    await expectAttemptsAfter(19_999, 2);
    await expectAttemptsAfter(1, 3);
    await expectAttemptsAfter(100_000, 3);
    manager.close();
    // Node 20 does not restore mocked timers after the test on its own.
    t.mock.timers.reset();
  });

  it('waits for triggerManualRecovery with the manual strategy, and abandons on request', async () => {
    const spawner = new ScriptedSpawner([segfault]);
    const manager = new SessionRecoveryManager(spawner, { strategy: 'manual', saveCrashDumps: false });
    const abandoned = new Promise<{ attempts: unknown[] }>((r) => manager.once('recovery-abandoned', r));
    const { sessionId } = await spawner.spawnSession(makeConfig('/tmp'));
    await flush();
    assert.equal(spawner.spawned.length, 1, 'nothing happens on its own');
    assert.equal(manager.triggerManualRecovery(sessionId), true);
    await waitFor(() => spawner.spawned.length === 2, 5000, 'the triggered attempt');
    assert.equal(manager.abandonRecovery(sessionId), true);
    assert.equal((await abandoned).attempts.length, 1);
    assert.equal(manager.getRecoveryStats().abandonedRecoveries, 1);
    assert.equal(manager.triggerManualRecovery(sessionId), false);
    manager.close();
  });

  it('rejects invalid options with a typed error', () => {
    assert.throws(() => new SessionRecoveryManager(new ScriptedSpawner([]), { strategy: 'sometimes' as never }), { code: 'ERR_INVALID_OPTION' });
    assert.throws(() => new SessionRecoveryManager(new ScriptedSpawner([]), { maxRetries: -1 }), { code: 'ERR_INVALID_OPTION', field: 'maxRetries' });
  });
});


