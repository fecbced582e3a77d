// Pool retries with the real CLI: a SIGSEGV mid-tool, then cancel or drain while the retry is pending or hangs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SessionPool, SessionRecoveryManager, type RecoveryOptions, type SessionRequest } from '../../src/index.js';
import { bash, say, scenarioMarker } from '../../src/testing/index.js';
import { crashWhileRunning, waitForCommand } from '../helpers/crash.js';
import { makeConfig, tempDir, waitFor } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';

describe('SessionPool retries with the real CLI', () => {
  let rig: RealCliRig;
  let dumps: ReturnType<typeof tempDir>;
  before(async () => {
    rig = await startRig([
      { name: 'crash-then-done', steps: [bash('echo working && sleep 31'), say('Done after the crash.')] },
      // Whatever step the resumed conversation is at (CLI versions replay the interrupted turn differently), its
      // tool runs a long sleep: only drain's stop ends it.
      { name: 'crash-then-hang', steps: [bash('echo working && sleep 32'), bash('echo still && sleep 600'), bash('echo still && sleep 600')] },
    ]);
    dumps = tempDir('vp-pool-dumps-');
  });
  after(async () => {
    await rig.close();
    dumps.remove();
  });

  async function start(scenario: string, recovery: RecoveryOptions) {
    const spawner = rig.spawner();
    const manager = new SessionRecoveryManager(spawner, { crashDumpDirectory: dumps.path, jitter: 0, ...recovery });
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, autoRecovery: true });
    let spawned = 0;
    spawner.on('session-spawned', () => (spawned += 1));
    const ends: string[] = [];
    const request: SessionRequest = {
      requestId: scenario,
      config: makeConfig(rig.workDir, { taskContext: { taskId: scenario, description: `Work ${scenarioMarker(scenario)}`, priority: 'high' } }),
      priority: 'high',
      onCompleted: () => ends.push('completed'),
      onFailed: (e) => ends.push((e as { code?: string }).code ?? e.message),
    };
    const retrying = new Promise<void>((r) => pool.once('request-retrying', () => r()));
    const first = await pool.requestSession(request);
    return { spawner, manager, pool, ends, first, retrying, spawned: () => spawned };
  }

  it('a request cancelled during its retry delay spawns nothing more and ends ERR_REQUEST_CANCELLED', async () => {
    const { manager, pool, ends, first, retrying, spawned } = await start('crash-then-done', { retryDelay: 60_000 });
    await crashWhileRunning(first.sessionId, first.status.pid!, 'sleep 31');
    assert.equal((await first.completion).state, 'crashed');
    await retrying;
    assert.equal(pool.cancelRequest('crash-then-done'), true);
    await waitFor(() => ends.length > 0, 5000, 'the request to end');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(ends, ['ERR_REQUEST_CANCELLED']);
    assert.equal(spawned(), 1, 'no retry was spawned');
    await pool.drain(1000);
    manager.close();
  });

  it('drain during a retry delay resolves at once, refuses the retry (ERR_POOL_DRAINING) and spawns nothing more', async () => {
    const { manager, pool, ends, first, retrying, spawned } = await start('crash-then-done', { retryDelay: 60_000 });
    await crashWhileRunning(first.sessionId, first.status.pid!, 'sleep 31');
    await retrying;
    const started = Date.now();
    await pool.drain(30_000);
    const tookMs = Date.now() - started;
    assert.ok(tookMs < 5_000, `drain waited ${tookMs} ms for a retry 60 s away`);
    assert.deepEqual(ends, ['ERR_POOL_DRAINING']);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(spawned(), 1, 'no retry was spawned');
    manager.close();
  });

  it('drain resolves within its timeout plus the kill grace while the resumed retry hangs', async () => {
    const { manager, pool, ends, first, spawned } = await start('crash-then-hang', { strategy: 'immediate' });
    const resumed = new Promise<string>((r) => pool.on('session-allocated', ({ sessionId }) => sessionId !== first.sessionId && r(sessionId)));
    await crashWhileRunning(first.sessionId, first.status.pid!, 'sleep 32');
    await waitForCommand(await resumed, 'sleep ');
    const started = Date.now();
    await pool.drain(500);
    const tookMs = Date.now() - started;
    // 500 ms of grace, then SIGTERM and the rig's 2 s kill grace: far below the 600 s the tool would run.
    assert.ok(tookMs < 15_000, `drain took ${tookMs} ms`);
    await waitFor(() => ends.length > 0, 5000, 'the request to end');
    assert.equal(ends.length, 1);
    assert.equal(ends[0], 'ERR_SESSION_FAILED', 'the retry was stopped: the request failed once');
    assert.equal(spawned(), 2, 'the first session and one retry');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(spawned(), 2, 'nothing after drain');
    manager.close();
  });
});
