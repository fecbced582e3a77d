// SessionPool against a fake spawner: random command sequences checked against a model of the
// pool (slots, priority queue, outcomes, metrics), plus deterministic tests of wait estimates and drain.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { SessionPool, type SessionPriority, type SessionRequest, type SpawnResult } from '../../src/index.js';
import { FakeSpawner, type FinalState } from '../helpers/fake-spawner.js';
import { makeConfig } from '../helpers/fixtures.js';

const PRIORITIES: readonly SessionPriority[] = ['critical', 'high', 'medium', 'low'];
const WEIGHT: Readonly<Record<SessionPriority, number>> = { critical: 4, high: 3, medium: 2, low: 1 };
// The fake spawner never touches the working directory.
const WORK_DIR = tmpdir();

const settle = async (): Promise<void> => {
  // The fake spawner settles without timers, so every microtask chain is done after a few macrotask turns.
  for (let i = 0; i < 3; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The promise's value, or 'timeout' if it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** What happened to one request, as seen through its callbacks and its promise. */
interface Tracked {
  readonly id: string;
  readonly watched: boolean;
  allocated: string[];
  completed: number;
  failed: Error[];
  resolved: SpawnResult[];
  rejected: unknown[];
}

function track(id: string, watched: boolean): { tracked: Tracked; callbacks: Pick<SessionRequest, 'onAllocated' | 'onCompleted' | 'onFailed'> } {
  const tracked: Tracked = { id, watched, allocated: [], completed: 0, failed: [], resolved: [], rejected: [] };
  return {
    tracked,
    callbacks: {
      onAllocated: (sessionId) => tracked.allocated.push(sessionId),
      onCompleted: () => (tracked.completed += 1),
      onFailed: (error) => tracked.failed.push(error),
    },
  };
}

function request(id: string, priority: SessionPriority, extra: Partial<SessionRequest> = {}): SessionRequest {
  return { requestId: id, priority, queuedAt: new Date(), config: makeConfig(WORK_DIR, { taskContext: { taskId: id, description: `task ${id}`, priority } }), ...extra };
}

// ---------------------------------------------------------------------------------------------
// The model: what an exact SessionPool does with an immediate spawner and agingIntervalMs 0.

/** How a request is expected to end: 'completed', a pool error code, or 'spawn-failed'. */
type Expected = 'completed' | 'spawn-failed' | 'ERR_QUEUE_FULL' | 'ERR_REQUEST_CANCELLED' | 'ERR_SESSION_FAILED' | 'ERR_POOL_DRAINING';

interface ModelEntry {
  readonly id: string;
  readonly priority: SessionPriority;
  readonly fail: boolean;
  readonly seq: number;
}

class PoolModel {
  readonly queue: ModelEntry[] = [];
  /** Ids whose spawn succeeded and whose session has not finished, in allocation order. */
  readonly running: string[] = [];
  /** Ids whose spawn was started and will fail: their slot frees only once the rejection is handled. */
  readonly pendingFails: string[] = [];
  readonly spawnOrder: string[] = [];
  readonly expected = new Map<string, Expected>();
  slots = 0;
  allocated = 0;
  rejected = 0;
  cancelled = 0;
  readonly failedSpawns = new Set<string>();
  readonly finished = { completed: 0, failed: 0, crashed: 0, terminated: 0 };
  #seq = 0;

  constructor(
    readonly capacity: number,
    readonly maxQueueSize: number,
  ) {}

  /** The synchronous part of requestSession. */
  request(id: string, priority: SessionPriority, fail: boolean): void {
    if (this.queue.length >= this.maxQueueSize) {
      this.rejected += 1;
      this.expected.set(id, 'ERR_QUEUE_FULL');
      return;
    }
    this.queue.push({ id, priority, fail, seq: this.#seq++ });
    this.#pump();
  }

  cancelQueued(id: string): void {
    const index = this.queue.findIndex((e) => e.id === id);
    assert.ok(index >= 0, `model: ${id} is not queued`);
    this.queue.splice(index, 1);
    this.cancelled += 1;
    this.expected.set(id, 'ERR_REQUEST_CANCELLED');
  }

  /** Ends a running session; a cancelled request ends ERR_REQUEST_CANCELLED whatever its session's state. */
  finish(id: string, state: Exclude<FinalState, 'timeout'>, cancelled = false): void {
    const index = this.running.indexOf(id);
    assert.ok(index >= 0, `model: ${id} is not running`);
    this.running.splice(index, 1);
    this.slots -= 1;
    this.finished[state] += 1;
    this.expected.set(id, cancelled ? 'ERR_REQUEST_CANCELLED' : state === 'completed' ? 'completed' : 'ERR_SESSION_FAILED');
    this.#pump();
  }

  /** What happens once every microtask has run: failed spawns free their slots, in order. */
  settle(): void {
    for (let id = this.pendingFails.shift(); id !== undefined; id = this.pendingFails.shift()) {
      this.slots -= 1;
      this.expected.set(id, 'spawn-failed');
      this.#pump();
    }
  }

  drainQueue(): void {
    for (const entry of this.queue.splice(0)) this.expected.set(entry.id, 'ERR_POOL_DRAINING');
  }

  /** Queue in run order: higher weight first, FIFO among equals. */
  ordered(): ModelEntry[] {
    return [...this.queue].sort((a, b) => WEIGHT[b.priority] - WEIGHT[a.priority] || a.seq - b.seq);
  }

  #pump(): void {
    while (this.slots < this.capacity && this.queue.length > 0) {
      const best = this.ordered()[0] as ModelEntry;
      this.queue.splice(this.queue.indexOf(best), 1);
      this.slots += 1;
      this.spawnOrder.push(best.id);
      if (best.fail) {
        this.pendingFails.push(best.id);
        this.failedSpawns.add(best.id);
      }
      if (!best.fail) {
        this.running.push(best.id);
        this.allocated += 1;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Commands.

interface Item {
  readonly priority: SessionPriority;
  readonly fail: boolean;
  /** Whether the test observes the returned promise (unobserved ones must not become unhandled rejections). */
  readonly watched: boolean;
}

type Cmd =
  /** One request, or several in the same tick (a burst). */
  | { readonly kind: 'request'; readonly items: readonly Item[] }
  | { readonly kind: 'cancel'; readonly target: 'queued' | 'running' | 'unknown'; readonly pick: number; readonly terminate: boolean }
  | { readonly kind: 'finish'; readonly pick: number; readonly state: 'completed' | 'failed' | 'crashed' };

const priorityArb = fc.constantFrom(...PRIORITIES);
const itemArb: fc.Arbitrary<Item> = fc.record({
  priority: priorityArb,
  fail: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))), // ~25 % fail at spawn
  watched: fc.boolean(),
});
const finishStateArb = fc.constantFrom('completed' as const, 'completed' as const, 'failed' as const, 'crashed' as const);

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('request' as const), items: fc.array(itemArb, { minLength: 1, maxLength: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('request' as const), items: fc.array(itemArb, { minLength: 2, maxLength: 8 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('cancel' as const),
      target: fc.constantFrom('queued' as const, 'queued' as const, 'running' as const, 'unknown' as const),
      pick: fc.nat({ max: 1000 }),
      terminate: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat({ max: 1000 }), state: finishStateArb }) },
);

const scenarioArb = fc.record({
  maxConcurrentSessions: fc.integer({ min: 1, max: 4 }),
  maxQueueSize: fc.integer({ min: 1, max: 8 }),
  commands: fc.array(cmdArb, { minLength: 1, maxLength: 25 }),
  /** 'finish': running sessions finish while the pool drains; 'terminate': drain's timeout stops them. */
  drain: fc.constantFrom('finish' as const, 'terminate' as const),
  drainStates: fc.array(finishStateArb, { minLength: 8, maxLength: 8 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

async function runScenario(scenario: Scenario, unhandled: unknown[]): Promise<void> {
  const { maxConcurrentSessions, maxQueueSize } = scenario;
  const spawner = new FakeSpawner();
  const pool = new SessionPool(spawner, { maxConcurrentSessions, maxQueueSize, agingIntervalMs: 0 });
  const model = new PoolModel(maxConcurrentSessions, maxQueueSize);
  const tracked = new Map<string, Tracked>();
  const events = { drained: 0 };
  pool.on('pool-drained', () => (events.drained += 1));
  let n = 0;

  const submit = (item: Item): void => {
    const id = `${item.fail ? 'fail' : 'req'}-${n++}`;
    const { tracked: t, callbacks } = track(id, item.watched);
    tracked.set(id, t);
    const promise = pool.requestSession(request(id, item.priority, callbacks));
    model.request(id, item.priority, item.fail);
    if (item.watched) {
      promise.then(
        (result) => t.resolved.push(result),
        (error: unknown) => t.rejected.push(error),
      );
    }
  };
  const sessionIdOf = (id: string): string => {
    const session = spawner.sessionOf(id);
    assert.ok(session, `no fake session for ${id}`);
    return session.sessionId;
  };

  const check = (where: string): void => {
    assert.ok(spawner.maxActive <= maxConcurrentSessions, `${where}: ${spawner.maxActive} sessions at once, limit ${maxConcurrentSessions}`);
    assert.deepEqual(spawner.spawnOrder, model.spawnOrder, `${where}: allocation order (priority, then FIFO) differs from the model`);
    const status = pool.getPoolStatus();
    assert.deepEqual(status.queuedRequests.map((q) => q.requestId), model.ordered().map((e) => e.id), `${where}: queue order`);
    assert.deepEqual(status.activeSessions.map((s) => s.requestId).sort(), [...model.running].sort(), `${where}: running requests`);
    // Work-conserving: a free slot never coexists with a waiting request (failed spawns free their slot).
    assert.ok(status.activeCount === maxConcurrentSessions || status.queuedCount === 0, `${where}: a slot is free while ${status.queuedCount} wait`);
    const m = pool.getMetrics();
    assert.deepEqual(
      {
        totalSessions: m.totalSessions,
        activeSessions: m.activeSessions,
        completedSessions: m.completedSessions,
        failedSessions: m.failedSessions,
        crashedSessions: m.crashedSessions,
        terminatedSessions: m.terminatedSessions,
        queueLength: m.queueLength,
        rejectedRequests: m.rejectedRequests,
        cancelledRequests: m.cancelledRequests,
      },
      {
        totalSessions: model.allocated,
        activeSessions: model.running.length,
        completedSessions: model.finished.completed,
        failedSessions: model.finished.failed,
        crashedSessions: model.finished.crashed,
        terminatedSessions: model.finished.terminated,
        queueLength: model.queue.length,
        rejectedRequests: model.rejected,
        cancelledRequests: model.cancelled,
      },
      `${where}: metrics`,
    );
    for (const t of tracked.values()) {
      assert.ok(t.allocated.length <= 1, `${where}: ${t.id} allocated ${t.allocated.length} times`);
      assert.ok(t.completed + t.failed.length <= 1, `${where}: ${t.id} ended ${t.completed + t.failed.length} times`);
    }
  };

  for (const [step, cmd] of scenario.commands.entries()) {
    const where = `step ${step} (${cmd.kind})`;
    if (cmd.kind === 'request') {
      for (const item of cmd.items) submit(item); // all in the same tick
      assert.ok(spawner.active <= maxConcurrentSessions, `${where}: ${spawner.active} sessions at once within one tick`);
    } else if (cmd.kind === 'cancel') {
      if (cmd.target === 'queued' && model.queue.length > 0) {
        const id = (model.queue[cmd.pick % model.queue.length] as ModelEntry).id;
        assert.equal(pool.cancelRequest(id, { terminate: cmd.terminate }), true, `${where}: cancel queued ${id}`);
        model.cancelQueued(id);
      } else if (cmd.target === 'running' && model.running.length > 0) {
        const id = model.running[cmd.pick % model.running.length] as string;
        assert.equal(pool.cancelRequest(id, { terminate: cmd.terminate }), cmd.terminate, `${where}: cancel running ${id}`);
        await settle();
        if (cmd.terminate) model.finish(id, 'terminated', true);
      } else {
        assert.equal(pool.cancelRequest(`unknown-${cmd.pick}`), false, `${where}: cancel of an unknown id`);
      }
    } else if (model.running.length > 0) {
      const id = model.running[cmd.pick % model.running.length] as string;
      assert.equal(spawner.finish(sessionIdOf(id), cmd.state), true);
      model.finish(id, cmd.state);
    }
    await settle();
    model.settle();
    check(where);
  }

  // Drain at the end.
  if (scenario.drain === 'finish') {
    const drained = pool.drain(10_000);
    model.drainQueue();
    await settle();
    for (const [i, id] of [...model.running].entries()) {
      const state = scenario.drainStates[i % scenario.drainStates.length] ?? 'completed';
      assert.equal(spawner.finish(sessionIdOf(id), state), true);
      model.finish(id, state);
    }
    await drained;
  } else {
    const drained = pool.drain(0);
    model.drainQueue();
    await drained;
    for (const id of [...model.running]) model.finish(id, 'terminated');
  }
  await settle();
  model.settle();
  check('after drain');
  assert.equal(events.drained, 1, 'pool-drained emitted once');
  assert.equal(spawner.active, 0, 'no fake session left running');

  // Every request: allocated at most once, exactly one of onCompleted/onFailed, the outcome the model expects.
  for (const t of tracked.values()) {
    const expected = model.expected.get(t.id);
    assert.ok(expected, `model has no outcome for ${t.id}`);
    assert.equal(t.completed + t.failed.length, 1, `${t.id} ended ${t.completed + t.failed.length} times (expected ${expected})`);
    const spawned = model.spawnOrder.includes(t.id) && !model.failedSpawns.has(t.id);
    assert.equal(t.allocated.length, spawned ? 1 : 0, `${t.id}: onAllocated calls`);
    if (spawned) assert.equal(t.allocated[0], sessionIdOf(t.id), `${t.id}: onAllocated got its session id`);
    if (expected === 'completed') assert.equal(t.completed, 1, `${t.id} should have completed`);
    else {
      const error = t.failed[0] as Error & { code?: string };
      assert.ok(error instanceof Error, `${t.id}: onFailed got an Error`);
      if (expected === 'spawn-failed') assert.match(error.message, /fake spawn of .* failed/);
      else assert.equal(error.code, expected, `${t.id}: ${error.message}`);
    }
    if (t.watched) {
      assert.equal(t.resolved.length + t.rejected.length, 1, `${t.id}: promise settled ${t.resolved.length + t.rejected.length} times`);
      if (spawned) assert.equal(t.resolved[0]?.sessionId, t.allocated[0], `${t.id}: resolved with its session`);
      else assert.equal(t.rejected[0], t.failed[0], `${t.id}: rejected with the error onFailed got`);
    }
  }

  // A drained pool refuses new work.
  const late = track('late', true);
  await assert.rejects(pool.requestSession(request('late', 'critical', late.callbacks)), { code: 'ERR_POOL_DRAINING' });
  assert.equal(late.tracked.failed.length, 1);
  assert.equal(pool.getMetrics().rejectedRequests, model.rejected + 1);
  await settle();
  assert.deepEqual(unhandled, [], 'no unhandled rejection');
}

describe('SessionPool properties (fake spawner, random command sequences)', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => process.off('unhandledRejection', onUnhandled));

  it('respects the limit, allocates by priority then FIFO, ends every request once, and counts right', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        unhandled.length = 0;
        await runScenario(scenario, unhandled);
      }),
      { numRuns: 100 },
    );
  });

  it('never exceeds the limit when many requests arrive in the same tick', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(itemArb, { minLength: 1, maxLength: 40 }), async (max, items) => {
        const spawner = new FakeSpawner();
        const pool = new SessionPool(spawner, { maxConcurrentSessions: max, maxQueueSize: 100, agingIntervalMs: 0 });
        const ended: string[] = [];
        items.forEach((item, i) => {
          const id = `${item.fail ? 'fail' : 'req'}-${i}`;
          void pool.requestSession(request(id, item.priority, { onCompleted: () => ended.push(id), onFailed: () => ended.push(id) }));
        });
        assert.ok(spawner.active <= max);
        // Finish whatever runs until everything has ended; the limit holds throughout.
        for (let guard = 0; ended.length < items.length && guard < 200; guard += 1) {
          await settle();
          for (const id of spawner.runningIds()) spawner.finish(id);
          assert.ok(spawner.maxActive <= max, `${spawner.maxActive} > ${max}`);
        }
        assert.equal(ended.length, items.length);
        assert.equal(new Set(ended).size, items.length);
        await pool.drain(0);
      }),
      { numRuns: 100 },
    );
  });

  it('a failed spawn frees its slot for the next queued request', async () => {
    const spawner = new FakeSpawner();
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, agingIntervalMs: 0 });
    const first = await pool.requestSession(request('first', 'low'));
    const failing = pool.requestSession(request('fail-1', 'critical'));
    const next = pool.requestSession(request('next', 'high'));
    spawner.finish(first.sessionId);
    await assert.rejects(failing, /fake spawn of fail-1 failed/);
    const allocated = await next;
    assert.deepEqual(spawner.spawnOrder, ['first', 'fail-1', 'next']);
    assert.equal(pool.getPoolStatus().activeCount, 1);
    spawner.finish(allocated.sessionId);
    await pool.drain(0);
  });
});

describe('SessionPool with a fake spawner: wait estimates', () => {
  it('the head of a full queue waits > 0 ms and each later position waits longer (one slot)', async () => {
    const spawner = new FakeSpawner();
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, agingIntervalMs: 0 });
    await pool.requestSession(request('running', 'high'));
    for (const [i, p] of (['low', 'critical', 'medium', 'high'] as const).entries()) void pool.requestSession(request(`q${i}`, p));
    const queued = pool.getPoolStatus().queuedRequests;
    assert.deepEqual(queued.map((q) => q.priority), ['critical', 'high', 'medium', 'low']);
    assert.deepEqual(queued.map((q) => q.position), [0, 1, 2, 3]);
    assert.ok((queued[0]?.estimatedWaitTime ?? 0) > 0, 'the head of a full queue does not wait 0 ms');
    for (let p = 1; p < queued.length; p += 1) {
      assert.ok((queued[p]?.estimatedWaitTime ?? 0) > (queued[p - 1]?.estimatedWaitTime ?? 0), `position ${p} waits longer than ${p - 1}`);
    }
    await pool.drain(0);
  });

  it('with several slots, the estimate never decreases with the position and grows by a wave per capacity', async () => {
    const spawner = new FakeSpawner();
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 3, agingIntervalMs: 0 });
    // One finished session of 1 s sets the mean the estimates use.
    const warm = await pool.requestSession(request('measured', 'high'));
    spawner.finish(warm.sessionId, 'completed', { executionTime: 1000 });
    await settle();
    for (let i = 0; i < 3; i += 1) await pool.requestSession(request(`run${i}`, 'high'));
    for (let i = 0; i < 7; i += 1) void pool.requestSession(request(`q${i}`, PRIORITIES[i % 4] as SessionPriority));
    const waits = pool.getPoolStatus().queuedRequests.map((q) => q.estimatedWaitTime);
    assert.equal(waits.length, 7);
    assert.ok((waits[0] ?? 0) > 0, `head waits ${waits[0]} ms`);
    for (let p = 1; p < waits.length; p += 1) assert.ok((waits[p] ?? 0) >= (waits[p - 1] ?? 0), `waits ${waits.join(', ')}`);
    for (let p = 3; p < waits.length; p += 1) assert.ok((waits[p] ?? 0) > (waits[p - 3] ?? 0), `position ${p} waits a wave longer: ${waits.join(', ')}`);
    await pool.drain(0);
  });
});

describe('SessionPool with a fake spawner: drain', () => {
  it('drain() called twice returns the same promise and emits pool-drained once', async () => {
    const spawner = new FakeSpawner();
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, agingIntervalMs: 0 });
    const events: string[] = [];
    pool.on('pool-draining', () => events.push('draining'));
    pool.on('pool-drained', () => events.push('drained'));
    const running = await pool.requestSession(request('running', 'high'));
    const waiting = pool.requestSession(request('waiting', 'low'));
    const first = pool.drain(10_000);
    const second = pool.drain(10_000);
    assert.equal(second, first, 'the same promise');
    await assert.rejects(waiting, { code: 'ERR_POOL_DRAINING' });
    spawner.finish(running.sessionId);
    await first;
    assert.equal(pool.drain(), first, 'still the same promise after it resolved');
    await settle();
    assert.deepEqual(events, ['draining', 'drained']);
  });

  it('drain() called again from a pool-draining listener returns the same promise and drains once', async () => {
    const spawner = new FakeSpawner();
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, agingIntervalMs: 0 });
    let drained = 0;
    pool.on('pool-drained', () => (drained += 1));
    let inner: Promise<void> | undefined;
    pool.once('pool-draining', () => {
      inner = pool.drain(0);
    });
    const outer = pool.drain(0);
    await outer;
    await inner;
    await settle();
    assert.equal(inner, outer, 'the re-entrant call returns the same promise');
    assert.equal(drained, 1, 'pool-drained is emitted once');
  });

  it('a request made from an onFailed callback while draining is refused, not left queued', async () => {
    const spawner = new FakeSpawner();
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, agingIntervalMs: 0 });
    const running = await pool.requestSession(request('running', 'high'));
    let retry: Promise<SpawnResult> | undefined;
    void pool.requestSession(request('waiting', 'low', {
      onFailed: () => {
        retry = pool.requestSession(request('retry', 'low'));
      },
    }));
    const drained = pool.drain(10_000);
    spawner.finish(running.sessionId);
    await drained;
    assert.ok(retry, 'onFailed ran');
    const outcome = await within(retry.then(() => 'resolved', (e: { code?: string }) => e.code), 500);
    assert.equal(outcome, 'ERR_POOL_DRAINING', 'the retry is refused because the pool is draining');
    assert.equal(pool.getPoolStatus().queuedCount, 0, 'nothing is left queued after drain');
  });

  it('drain stops a session whose spawn was still in flight when the timeout passed', async () => {
    const spawner = new FakeSpawner({ spawnDelayMs: 50 });
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, agingIntervalMs: 0 });
    const result = pool.requestSession(request('slow-start', 'high'));
    const drained = pool.drain(5);
    const outcome = await within(drained.then(() => 'drained'), 1000);
    // Clean up whatever the pool left running, so the test ends either way.
    for (const id of spawner.runningIds()) spawner.finish(id, 'terminated');
    await drained;
    assert.equal(outcome, 'drained', 'drain(5) resolves without anyone finishing the session by hand');
    assert.equal((await (await result).completion).state, 'terminated');
  });
});

describe('SessionPool with a fake spawner: requests whose spawn is in flight', () => {
  it('refuses a duplicate requestId while the first one is being spawned', async () => {
    const spawner = new FakeSpawner();
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 2, agingIntervalMs: 0 });
    const first = pool.requestSession(request('dup', 'high'));
    const second = pool.requestSession(request('dup', 'high'));
    await assert.rejects(second, { code: 'ERR_DUPLICATE_REQUEST' });
    const { sessionId } = await first;
    assert.deepEqual(spawner.spawnOrder, ['dup']);
    spawner.finish(sessionId);
    await pool.drain(0);
    for (const id of spawner.runningIds()) spawner.finish(id);
  });

  it('an abort while the spawn is in flight ends the request and stops its session', async () => {
    const spawner = new FakeSpawner({ spawnDelayMs: 20 });
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, agingIntervalMs: 0 });
    const controller = new AbortController();
    const { tracked, callbacks } = track('aborted', true);
    void pool.requestSession(request('aborted', 'high', { ...callbacks, signal: controller.signal }));
    await settle(); // the spawn has started, not finished
    controller.abort();
    await delay(100);
    assert.equal(tracked.completed, 0, 'the aborted request did not complete');
    assert.equal(tracked.failed.length, 1, 'the aborted request failed');
    assert.equal(spawner.runningIds().length, 0, 'its session was stopped');
    for (const id of spawner.runningIds()) spawner.finish(id);
    await pool.drain(0);
  });

  it('a request whose signal is already aborted is cancelled, not run', async () => {
    const spawner = new FakeSpawner();
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, agingIntervalMs: 0 });
    const result = pool.requestSession(request('pre-aborted', 'high', { signal: AbortSignal.abort() }));
    const outcome = await result.then(() => 'allocated', (e: { code?: string }) => e.code);
    for (const id of spawner.runningIds()) spawner.finish(id);
    assert.equal(outcome, 'ERR_REQUEST_CANCELLED');
    assert.deepEqual(spawner.spawnOrder, []);
    await pool.drain(0);
  });
});

describe('SessionPool with a fake spawner: throwing event listeners', () => {
  it('a throwing session-allocated or session-released listener does not leak the slot or leave a request unended', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const spawner = new FakeSpawner();
      const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, agingIntervalMs: 0 });
      pool.on('session-allocated', () => {
        throw new Error('a buggy session-allocated listener');
      });
      pool.on('session-released', () => {
        throw new Error('a buggy session-released listener');
      });
      const first = track('first', true);
      const second = track('second', true);
      const a = pool.requestSession(request('first', 'high', first.callbacks));
      const b = pool.requestSession(request('second', 'high', second.callbacks));
      const allocated = await within(a, 200);
      assert.notEqual(allocated, 'timeout', 'the first request is allocated despite the listener');
      await settle();
      for (const id of spawner.runningIds()) spawner.finish(id);
      await settle();
      assert.equal(first.tracked.completed, 1, 'the first request completed');
      assert.notEqual(await within(b, 200), 'timeout', 'the second request got the freed slot');
      for (const id of spawner.runningIds()) spawner.finish(id);
      await settle();
      assert.equal(second.tracked.completed, 1, 'the second request completed');
      assert.equal(await within(pool.drain(100), 500), undefined, 'drain resolves');
      assert.deepEqual(unhandled, [], 'no unhandled rejection');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
