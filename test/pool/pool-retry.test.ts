// Retries are a pool concern: a crashed request waits out its delay without a slot, then queues like any other,
// and cancel, drain, limits, priorities, events and metrics apply to every attempt.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionPool, SessionRecoveryManager, type RecoveryOptions } from '../../src/index.js';
import { makeConfig } from '../helpers/fixtures.js';
import { RecoverableFakeSpawner } from '../helpers/recoverable-spawner.js';

const config = (taskId: string) => makeConfig('/tmp', { taskContext: { taskId, description: taskId, priority: 'high' } });
const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
};

function rig(recovery: RecoveryOptions = {}, maxConcurrentSessions = 1) {
  const spawner = new RecoverableFakeSpawner();
  // The spec's wiring: both built on the spawner, in either order, and no call between them.
  const pool = new SessionPool(spawner, { maxConcurrentSessions, autoRecovery: true });
  const manager = new SessionRecoveryManager(spawner, { saveCrashDumps: false, jitter: 0, ...recovery });
  const ends = new Map<string, string[]>();
  const request = (id: string, priority = 'high', signal?: AbortSignal) =>
    void pool.requestSession({
      requestId: id,
      config: config(id),
      priority,
      signal,
      onCompleted: () => ends.set(id, [...(ends.get(id) ?? []), 'completed']),
      onFailed: (e) => ends.set(id, [...(ends.get(id) ?? []), (e as { code?: string }).code ?? e.message]),
    });
  const crash = async (id: string) => {
    await flush();
    assert.ok(spawner.finish(spawner.sessionOf(id)!.sessionId, 'crashed'), `${id} was running`);
    await flush();
  };
  return { spawner, pool, manager, ends, request, crash };
}

describe('SessionPool retries', () => {
  it('a request cancelled during its retry delay spawns nothing more and ends once, ERR_REQUEST_CANCELLED', async () => {
    const { spawner, pool, manager, ends, request, crash } = rig({ retryDelay: 60_000 });
    const events: string[] = [];
    manager.on('recovery-abandoned', () => events.push('abandoned'));
    pool.on('request-retrying', ({ delayMs, attemptNumber }) => events.push(`retrying ${attemptNumber} after ${delayMs}`));
    request('a');
    await crash('a');
    assert.equal(pool.getPoolStatus().retryingCount, 1);
    assert.equal(pool.cancelRequest('a'), true, 'a pending retry is cancellable without terminate');
    await flush();
    assert.deepEqual(ends.get('a'), ['ERR_REQUEST_CANCELLED']);
    assert.deepEqual(spawner.spawnOrder, ['a']);
    assert.deepEqual(events, ['retrying 1 after 60000', 'abandoned']);
    assert.equal(manager.getRecoveryStats().activeRecoveries, 0);
    await pool.drain(100);
    manager.close();
  });

  it('the request signal aborts a pending retry too', async () => {
    const { spawner, pool, manager, ends, request, crash } = rig({ retryDelay: 60_000 });
    const abort = new AbortController();
    request('a', 'high', abort.signal);
    await crash('a');
    abort.abort();
    await flush();
    assert.deepEqual(ends.get('a'), ['ERR_REQUEST_CANCELLED']);
    assert.equal(spawner.spawnOrder.length, 1);
    await pool.drain(100);
    manager.close();
  });

  it('drain during a retry delay resolves at once, refuses the retry and spawns nothing more', async () => {
    const { spawner, pool, manager, ends, request, crash } = rig({ retryDelay: 60_000 });
    request('a');
    await crash('a');
    const started = Date.now();
    await pool.drain(30_000);
    assert.ok(Date.now() - started < 5_000, 'drain did not wait for the retry delay');
    assert.deepEqual(ends.get('a'), ['ERR_POOL_DRAINING']);
    assert.deepEqual(spawner.spawnOrder, ['a']);
    manager.close();
  });

  it('frees the slot during the delay: the next request runs, then the retry queues by priority and age', async () => {
    const { spawner, pool, manager, ends, request, crash } = rig({ retryDelay: 30 });
    request('a', 'low');
    request('b', 'low');
    await crash('a');
    assert.deepEqual(spawner.spawnOrder, ['a', 'b'], 'b took the free slot while a waits');
    assert.equal(pool.getPoolStatus().activeCount, 1);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(pool.getPoolStatus().queuedCount, 1, 'the retry waits in the queue for the slot');
    spawner.finish(spawner.sessionOf('b')!.sessionId, 'completed');
    await flush();
    assert.deepEqual(spawner.spawnOrder, ['a', 'b', 'a']);
    const retry = spawner.sessionOf('a')!;
    assert.equal(retry.config.resumeClaudeSessionId, spawner.sessions.get('fake-session-1')!.status.claudeSessionId, 'the attempt resumes the conversation');
    spawner.finish(retry.sessionId, 'completed');
    await flush();
    assert.deepEqual(ends.get('a'), ['completed']);
    assert.deepEqual(ends.get('b'), ['completed']);
    const stats = manager.getRecoveryStats();
    assert.deepEqual([stats.totalCrashes, stats.totalRecoveryAttempts, stats.successfulRecoveries], [1, 1, 1]);
    const metrics = pool.getMetrics();
    assert.equal(metrics.totalSessions, 3, 'every attempt is a session');
    assert.equal(metrics.crashedSessions, 1);
    await pool.drain(100);
    manager.close();
  });

  it('fires the recovery events for pool retries, and gives up after maxRetries with one onFailed', async () => {
    const { spawner, pool, manager, ends, request, crash } = rig({ strategy: 'immediate', maxRetries: 2 });
    const events: string[] = [];
    for (const name of ['crash-detected', 'recovery-attempt', 'recovery-attempt-failed', 'recovery-failed'] as const) manager.on(name, () => events.push(name));
    request('a');
    for (let i = 0; i < 3; i++) await crash('a');
    assert.deepEqual(ends.get('a'), ['ERR_SESSION_FAILED']);
    assert.equal(spawner.spawnOrder.length, 3, 'the first session and two retries');
    assert.deepEqual(events, ['crash-detected', 'recovery-attempt', 'recovery-attempt-failed', 'recovery-attempt', 'recovery-attempt-failed', 'recovery-failed']);
    await pool.drain(100);
    manager.close();
  });

  it('waits for a manual trigger when the strategy is manual', async () => {
    const { spawner, pool, manager, ends, request, crash } = rig({ strategy: 'manual' });
    request('a');
    await crash('a');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(spawner.spawnOrder.length, 1, 'nothing until triggered');
    assert.equal(manager.triggerManualRecovery('fake-session-1'), true);
    await flush();
    assert.equal(spawner.spawnOrder.length, 2);
    spawner.finish(spawner.sessionOf('a')!.sessionId, 'completed');
    await flush();
    assert.deepEqual(ends.get('a'), ['completed']);
    await pool.drain(100);
    manager.close();
  });

  it('abandonRecovery ends the pending retry with the crash as the failure', async () => {
    const { spawner, pool, manager, ends, request, crash } = rig({ retryDelay: 60_000 });
    request('a');
    await crash('a');
    assert.equal(manager.abandonRecovery('fake-session-1'), true);
    await flush();
    assert.deepEqual(ends.get('a'), ['ERR_SESSION_FAILED']);
    assert.equal(spawner.spawnOrder.length, 1);
    assert.equal(manager.getRecoveryStats().abandonedRecoveries, 1);
    await pool.drain(100);
    manager.close();
  });

  it('without autoRecovery the manager reports the crash but neither it nor the pool retries', async () => {
    const spawner = new RecoverableFakeSpawner();
    const pool = new SessionPool(spawner, { autoRecovery: false });
    const manager = new SessionRecoveryManager(spawner, { strategy: 'immediate', saveCrashDumps: false });
    const detected: string[] = [];
    manager.on('crash-detected', ({ sessionId }) => detected.push(sessionId));
    const ends: string[] = [];
    void pool.requestSession({ requestId: 'a', config: config('a'), priority: 'high', onFailed: (e) => ends.push((e as { code?: string }).code ?? '') });
    await flush();
    spawner.finish(spawner.sessionOf('a')!.sessionId, 'crashed');
    await flush();
    assert.deepEqual(ends, ['ERR_SESSION_FAILED']);
    assert.deepEqual(detected, ['fake-session-1']);
    assert.equal(spawner.spawnOrder.length, 1);
    assert.equal(manager.getRecoveryStats().activeRecoveries, 0);
    await pool.drain(100);
    manager.close();
  });

  it('queueWaitTime is the wait of requests: a retry adds a session, not a zero wait', async () => {
    const { spawner, pool, manager, request, crash } = rig({ strategy: 'immediate' });
    request('a');
    request('b');
    await new Promise((r) => setTimeout(r, 40));
    spawner.finish(spawner.sessionOf('a')!.sessionId, 'completed');
    await flush();
    await crash('b');
    spawner.finish(spawner.sessionOf('b')!.sessionId, 'completed');
    await flush();
    const { queueWaitTime, totalSessions } = pool.getMetrics();
    assert.equal(totalSessions, 3);
    assert.ok(queueWaitTime >= 15, `b waited ~40 ms and a 0 ms: the mean is ~20 ms, not diluted to a third (${queueWaitTime})`);
    await pool.drain(100);
    manager.close();
  });
});
