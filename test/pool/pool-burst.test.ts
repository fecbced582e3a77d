// A burst of 200 admissions through SessionPool and ClaudeSessionSpawner at default options (sandboxed),
// each session a compiled stand-in agent: the pool's order, limits and callbacks, and every session's
// figures, tails and files, stay exact.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ClaudeSessionSpawner, SessionPool, type ClaudeSessionConfig, type ClaudeSessionStatus, type SessionPriority } from '../../src/index.js';
import { makeConfig, silentLogger, tempDir } from '../helpers/fixtures.js';
import { standInAgent } from '../helpers/stand-in.js';

const SESSIONS = 200;
const LIMIT = 60;
const MESSAGES = 5;
const PRIORITIES: SessionPriority[] = ['low', 'medium', 'high', 'critical'];

describe('a burst of 200 starts', () => {
  const dirs = { work: tempDir('vp-burst-work-'), state: tempDir('vp-burst-state-') };
  let spawner: ClaudeSessionSpawner;
  before(() => {
    spawner = new ClaudeSessionSpawner({
      claudePath: standInAgent(),
      stateDir: dirs.state.path,
      logger: silentLogger,
      env: { STANDIN_MESSAGES: String(MESSAGES), STANDIN_INTERVAL_MS: '20' },
    });
  });
  after(() => {
    dirs.work.remove();
    dirs.state.remove();
  });

  it('keeps order within a priority, the limit, one callback each, and complete tails and files', async () => {
    const pool = new SessionPool(spawner, { maxConcurrentSessions: LIMIT, maxQueueSize: SESSIONS });
    // The order in which the pool starts sessions, seen where it hands them to the spawner.
    const started: string[] = [];
    const spawn = spawner.spawnSession.bind(spawner);
    spawner.spawnSession = (config: ClaudeSessionConfig) => {
      started.push(config.taskContext.taskId);
      return spawn(config);
    };
    let running = 0;
    let maxRunning = 0;
    spawner.on('session-spawned', () => (maxRunning = Math.max(maxRunning, ++running)));
    spawner.on('session-ended', () => (running -= 1));
    const calls = new Map<string, string[]>();
    const call = (id: string, what: string): void => void calls.set(id, [...(calls.get(id) ?? []), what]);

    const requests = Array.from({ length: SESSIONS }, (_, i) => {
      const id = `BURST-${String(i).padStart(3, '0')}`;
      const priority = PRIORITIES[i % PRIORITIES.length]!;
      const config = makeConfig(dirs.work.path, { taskContext: { taskId: id, description: 'burst', priority } });
      return pool.requestSession({
        requestId: id,
        priority,
        config,
        onAllocated: () => call(id, 'allocated'),
        onCompleted: () => call(id, 'completed'),
        onFailed: () => call(id, 'failed'),
      });
    });
    const statuses: ClaudeSessionStatus[] = await Promise.all(requests.map(async (r) => (await r).completion));

    assert.equal(started.length, SESSIONS);
    assert.ok(maxRunning <= LIMIT, `at most ${LIMIT} at once, saw ${maxRunning}`);
    // The first LIMIT take free slots in the order asked; the rest wait, and within a priority keep their order.
    assert.deepEqual(started.slice(0, LIMIT), Array.from({ length: LIMIT }, (_, i) => `BURST-${String(i).padStart(3, '0')}`));
    for (const priority of PRIORITIES) {
      const ofPriority = started.filter((id) => PRIORITIES[Number(id.slice(6)) % 4] === priority);
      assert.deepEqual(ofPriority, [...ofPriority].sort(), `${priority} keeps its order`);
    }
    // Those that waited were queued together, so they start by priority: critical first, low last.
    const ranks = started.slice(LIMIT).map((id) => Number(id.slice(6)) % 4);
    assert.deepEqual(ranks, [...ranks].sort((a, b) => b - a), 'the waiting requests start by priority');

    for (const [i, status] of statuses.entries()) {
      const id = `BURST-${String(i).padStart(3, '0')}`;
      assert.equal(status.state, 'completed', `${id}: ${status.errorMessage ?? ''}`);
      assert.deepEqual(calls.get(id), ['allocated', 'completed'], `${id}: callbacks once each`);
      assert.equal(status.tokenUsage.output, MESSAGES * 30);
      assert.equal(status.metrics.turns, MESSAGES);
      const file = await readFile(status.files.stdout, 'utf8');
      assert.equal(file.trimEnd().split('\n').length, MESSAGES + 2, `${id}: every line in stdout.jsonl`);
      // Shorter than the tail's limit, so the tail is the whole output, byte for byte.
      assert.equal(status.stdout, file, `${id}: the tail holds the whole output`);
    }
    const summary = pool.getPoolStatus();
    assert.equal(summary.activeCount, 0);
    assert.equal(summary.queuedCount, 0);
    assert.equal(pool.getMetrics().completedSessions, SESSIONS);
  });
});
