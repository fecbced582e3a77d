// The fleet's queue on real Redis and BullMQ, without sessions: priorities, idempotency, request ids BullMQ would
// take for its own keys, taking a waiting request out, and the fleet-wide pause.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FleetQueue, jobIdOf, startFleetWorker } from '../../src/fleet/queue.js';
import type { SessionPriority } from '../../src/session/types.js';
import { waitFor } from '../helpers/fixtures.js';
import { redisUnavailable, removeKeys, startTestRedis, type TestRedis } from '../helpers/redis.js';

describe('the fleet queue', { skip: redisUnavailable() }, () => {
  let server: TestRedis;
  let redis: Redis;
  const names: string[] = [];
  const fresh = (): string => {
    const name = `test-${randomBytes(4).toString('hex')}`;
    names.push(name);
    return name;
  };
  before(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: null });
  });
  after(async () => {
    for (const name of names) await removeKeys(server.url, `vp-fleet:${name}`);
    redis.disconnect();
    await server.stop();
  });

  const submit = (queue: FleetQueue, requestId: string, priority: SessionPriority = 'medium') =>
    queue.submit({ requestId, priority, triage: {}, submittedBy: 'test' });

  it('runs waiting requests by priority, then in submission order', async () => {
    const name = fresh();
    const queue = new FleetQueue(redis, name);
    const order: string[] = [];
    try {
      const submitted: [string, SessionPriority][] = [['low-1', 'low'], ['medium-1', 'medium'], ['critical-1', 'critical'], ['high-1', 'high'], ['critical-2', 'critical'], ['low-2', 'low']];
      for (const [id, priority] of submitted) await submit(queue, id, priority);
      const worker = startFleetWorker(redis, name, { concurrency: 1, run: async (job) => (order.push(job.data.requestId), Promise.resolve({ node: 'n', state: 'completed' })) });
      await waitFor(() => order.length === submitted.length, 10_000, 'every request to run');
      await worker.close();
      assert.deepEqual(order, ['critical-1', 'critical-2', 'high-1', 'medium-1', 'low-1', 'low-2']);
    } finally {
      await queue.close();
    }
  });

  it("refuses a request id submitted before, and keeps ids that name BullMQ's own keys apart", async () => {
    const name = fresh();
    const queue = new FleetQueue(redis, name);
    try {
      for (const id of ['stalled', 'wait', 'meta', 'a:b', '42']) await submit(queue, id);
      await assert.rejects(submit(queue, 'stalled'), { code: 'ERR_DUPLICATE_REQUEST' });
      assert.deepEqual((await queue.queue.getJobCounts('prioritized', 'waiting')), { prioritized: 5, waiting: 0 });
      assert.equal(jobIdOf('a:b'), 'req-a%3Ab');
      // A waiting request is taken out; one that is not there is not.
      assert.equal(await queue.removeWaiting('wait'), true);
      assert.equal(await queue.removeWaiting('wait'), false);
      assert.equal(await queue.removeWaiting('nowhere'), false);
    } finally {
      await queue.queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('a pause holds every worker until it ends, and a shorter one does not cut it', async () => {
    const name = fresh();
    const queue = new FleetQueue(redis, name);
    const ranAt: number[] = [];
    try {
      const until = Date.now() + 1500;
      await queue.pauseAll(until);
      await queue.pauseAll(Date.now() + 100);
      assert.ok((await queue.pausedForMs()) > 1000, 'the longer pause stands');
      await submit(queue, 'after-pause');
      const worker = startFleetWorker(redis, name, { concurrency: 1, run: async () => (ranAt.push(Date.now()), Promise.resolve({ node: 'n', state: 'completed' })) });
      await waitFor(() => ranAt.length === 1, 10_000, 'the request to run after the pause');
      await worker.close();
      assert.ok(ranAt[0]! >= until - 20, `ran ${until - ranAt[0]!} ms before the pause ended`);
      assert.equal(await queue.pausedForMs(), 0);
    } finally {
      await queue.close();
    }
  });
});
