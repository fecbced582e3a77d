// The pool's autoRecovery: a crashed request keeps its slot while recovery retries it, and ends once.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { SessionPool, SessionRecoveryManager, type ClaudeSessionConfig, type ClaudeSessionStatus, type SpawnerEvents, type SpawnResult } from '../../src/index.js';
import { makeConfig, waitFor } from '../helpers/fixtures.js';
import { makeStatus } from './status.js';

/** Sessions of task 'crashy' crash the first `crashes` times; everything else completes. */
class FlakySpawner extends EventEmitter<SpawnerEvents> {
  readonly configs = new Map<string, ClaudeSessionConfig>();
  spawned = 0;
  constructor(private crashes: number) {
    super();
  }
  spawnSession(config: ClaudeSessionConfig): Promise<SpawnResult> {
    const sessionId = `s${this.spawned++}`;
    this.configs.set(sessionId, config);
    const crash = config.taskContext.taskId === 'crashy' && this.crashes-- > 0;
    const status: ClaudeSessionStatus = crash
      ? makeStatus({ sessionId, state: 'crashed', signal: 'SIGSEGV', outcome: { reason: 'signal:SIGSEGV' } })
      : makeStatus({ sessionId, state: 'completed', outcome: { reason: 'completed' } });
    const completion = new Promise<ClaudeSessionStatus>((resolve) =>
      setTimeout(() => {
        this.emit('session-ended', { sessionId, status });
        resolve(status);
      }, 5),
    );
    return Promise.resolve({ sessionId, status: { ...status, state: 'running' }, completion });
  }
  getSessionConfig(sessionId: string): ClaudeSessionConfig | undefined {
    return this.configs.get(sessionId);
  }
  terminateSession(): Promise<void> {
    return Promise.resolve();
  }
}

describe('SessionPool autoRecovery', () => {
  it('holds the slot while a crashed request is recovered, then completes it exactly once', async () => {
    const spawner = new FlakySpawner(2);
    const manager = new SessionRecoveryManager(spawner, { strategy: 'immediate', saveCrashDumps: false, maxRetries: 3 });
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, autoRecovery: true });
    pool.attachRecovery(manager);
    const allocations: string[] = [];
    const ends: string[] = [];
    const config = (taskId: string) => makeConfig('/tmp', { taskContext: { taskId, description: taskId, priority: 'high' } });
    void pool.requestSession({
      requestId: 'crashy',
      config: config('crashy'),
      priority: 'high',
      onAllocated: (id) => allocations.push(id),
      onCompleted: (s) => ends.push(`completed:${s.sessionId}`),
      onFailed: (e) => ends.push(`failed:${e.message}`),
    });
    void pool.requestSession({ requestId: 'next', config: config('next'), priority: 'low', onCompleted: () => ends.push('next') });
    await waitFor(() => ends.length === 2, 5000, 'both requests to end');
    assert.deepEqual(allocations, ['s0', 's1', 's2'], 'allocated once per attempt');
    assert.deepEqual(ends, ['completed:s2', 'next'], 'the queued request ran only after the recovered one');
    const metrics = pool.getMetrics();
    assert.equal(metrics.crashedSessions, 2);
    assert.equal(metrics.completedSessions, 2);
    assert.equal(metrics.totalSessions, 4);
    assert.equal(manager.getRecoveryStats().successfulRecoveries, 1);
    await pool.drain(100);
    manager.close();
  });

  it('fails the request once when recovery gives up', async () => {
    const spawner = new FlakySpawner(10);
    const manager = new SessionRecoveryManager(spawner, { strategy: 'immediate', saveCrashDumps: false, maxRetries: 2 });
    const pool = new SessionPool(spawner, { autoRecovery: true });
    pool.attachRecovery(manager);
    const ends: string[] = [];
    void pool.requestSession({
      requestId: 'crashy',
      config: makeConfig('/tmp', { taskContext: { taskId: 'crashy', description: 'x', priority: 'high' } }),
      priority: 'high',
      onCompleted: () => ends.push('completed'),
      onFailed: (e) => ends.push((e as Error & { code?: string }).code ?? 'error'),
    });
    await waitFor(() => ends.length === 1, 5000, 'the request to end');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(ends, ['ERR_SESSION_FAILED']);
    assert.equal(spawner.spawned, 3);
    await pool.drain(100);
    manager.close();
  });
});
