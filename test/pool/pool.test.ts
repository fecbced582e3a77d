// SessionPool with the real CLI and the offline model server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SessionPool, type ClaudeSessionConfig, type ClaudeSessionSpawner, type SessionRequest } from '../../src/index.js';
import { hang, say, scenarioMarker } from '../../src/testing/index.js';
import { makeConfig, waitFor } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';

describe('SessionPool with the real CLI', () => {
  let rig: RealCliRig;
  before(async () => {
    rig = await startRig([
      { name: 'quick', steps: [say('done quickly')] },
      { name: 'slow', steps: [{ kind: 'text', text: 'slowly done', chunkDelayMs: 150 }] },
      { name: 'stuck', steps: [hang()] },
    ]);
  });
  after(() => rig.close());

  const config = (scenario: string, taskId: string): ClaudeSessionConfig =>
    makeConfig(rig.workDir, { taskContext: { taskId, description: `Run ${scenarioMarker(scenario)}`, priority: 'medium' } });

  const request = (requestId: string, scenario: string, priority: SessionRequest['priority'], extra: Partial<SessionRequest> = {}): SessionRequest => ({
    requestId,
    config: config(scenario, requestId),
    priority,
    queuedAt: new Date(),
    ...extra,
  });

  it('never runs more than maxConcurrentSessions, allocates by priority and releases every slot', async () => {
    const spawner: ClaudeSessionSpawner = rig.spawner();
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, maxQueueSize: 10 });
    let maxActive = 0;
    spawner.on('session-spawned', () => (maxActive = Math.max(maxActive, spawner.getActiveSessions().length)));
    const allocated: string[] = [];
    const ended: string[] = [];
    const released: string[] = [];
    pool.on('session-allocated', ({ requestId }) => allocated.push(requestId));
    pool.on('session-released', ({ sessionId }) => released.push(sessionId));
    const onEnd = (id: string) => ({ onCompleted: () => ended.push(id), onFailed: () => ended.push(`${id}:failed`) });
    // The first request takes the only slot; the rest queue and must run by priority.
    const first = pool.requestSession(request('first', 'slow', 'low', onEnd('first')));
    const rest = [
      pool.requestSession(request('low', 'quick', 'low', onEnd('low'))),
      pool.requestSession(request('critical', 'quick', 'critical', onEnd('critical'))),
      pool.requestSession(request('medium', 'quick', 'medium', onEnd('medium'))),
      pool.requestSession(request('high', 'quick', 'high', onEnd('high'))),
    ];
    const status = pool.getPoolStatus();
    assert.equal(status.queuedCount, 4);
    assert.deepEqual(status.queuedRequests.map((q) => q.requestId), ['critical', 'high', 'medium', 'low']);
    assert.ok((status.queuedRequests[0]?.estimatedWaitTime ?? 0) > 0, 'the head of a full queue does not wait 0 ms');
    const results = await Promise.all([first, ...rest]);
    await Promise.all(results.map((r) => r.completion));
    await waitFor(() => ended.length === 5, 30_000, 'every request to end');
    assert.deepEqual(allocated, ['first', 'critical', 'high', 'medium', 'low']);
    assert.equal(maxActive, 1);
    assert.equal(released.length, 5);
    assert.deepEqual(ended.sort(), ['critical', 'first', 'high', 'low', 'medium']);
    const metrics = pool.getMetrics();
    assert.equal(metrics.totalSessions, 5);
    assert.equal(metrics.completedSessions, 5);
    assert.equal(metrics.activeSessions, 0);
    assert.ok(metrics.queueWaitTime > 0);
    assert.ok(metrics.totalTokensUsed > 0);
    await pool.drain(1000);
  });

  it('cancels a queued request, refuses a full queue, and applies defaultSessionTimeout', async () => {
    const spawner = rig.spawner();
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, maxQueueSize: 1, defaultSessionTimeout: 2000 });
    const cancelled: string[] = [];
    pool.on('request-cancelled', ({ requestId }) => cancelled.push(requestId));
    const stuck = await pool.requestSession(request('stuck', 'stuck', 'high'));
    const queued = pool.requestSession(request('queued', 'quick', 'high'));
    await assert.rejects(pool.requestSession(request('overflow', 'quick', 'high')), { code: 'ERR_QUEUE_FULL' });
    assert.equal(pool.cancelRequest('queued'), true);
    await assert.rejects(queued, { code: 'ERR_REQUEST_CANCELLED' });
    assert.deepEqual(cancelled, ['queued']);
    const final = await stuck.completion;
    assert.equal(final.state, 'timeout', 'the default timeout stopped the hanging session');
    assert.equal(final.outcome?.reason, 'timeout:wall');
    await pool.drain(1000);
  });

  it('drains: refuses queued work, lets running sessions finish, stops the rest, and emits pool-drained once', async () => {
    const spawner = rig.spawner();
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1 });
    const events: string[] = [];
    pool.on('pool-draining', () => events.push('draining'));
    pool.on('pool-drained', () => events.push('drained'));
    const running = await pool.requestSession(request('running', 'stuck', 'high'));
    const waiting = pool.requestSession(request('waiting', 'quick', 'low'));
    const first = pool.drain(500);
    assert.equal(pool.drain(500), first, 'a second drain returns the same promise');
    await first;
    await assert.rejects(waiting, { code: 'ERR_POOL_DRAINING' });
    await assert.rejects(pool.requestSession(request('late', 'quick', 'low')), { code: 'ERR_POOL_DRAINING' });
    assert.equal((await running.completion).state, 'terminated');
    assert.deepEqual(events, ['draining', 'drained']);
    assert.equal(spawner.getActiveSessions().length, 0);
  });

  it('keeps minIdleSessions CLI processes warm and hands one to a matching request', async () => {
    const spawner = rig.spawner();
    const template = config('quick', 'warm-1');
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 2, minIdleSessions: 1, warmTemplate: template });
    await waitFor(() => pool.getPoolStatus().idleCount === 1, 20_000, 'a warm process');
    const result = await pool.requestSession({ requestId: 'warm-1', config: template, priority: 'high' });
    const final = await result.completion;
    assert.equal(final.state, 'completed');
    assert.equal(final.resultText, 'done quickly');
    assert.equal(pool.getMetrics().warmStarts, 1);
    // The task reached the model through the first message of the warm process.
    assert.ok(rig.server.modelCalls(final.claudeSessionId).some((c) => c.text.includes('Task ID: warm-1')));
    await waitFor(() => pool.getPoolStatus().idleCount === 1, 20_000, 'the used process to be replaced');
    // A request with another charter cannot use the warm process: it gets a fresh one.
    const other = config('quick', 'cold-1');
    other.charter.objectives = ['Something else'];
    const cold = await (await pool.requestSession({ requestId: 'cold-1', config: other, priority: 'high' })).completion;
    assert.equal(cold.state, 'completed');
    assert.equal(pool.getMetrics().warmStarts, 1);
    await pool.drain(1000);
    await waitFor(() => pool.getPoolStatus().idleCount === 0, 10_000, 'warm processes to stop');
  });
});
