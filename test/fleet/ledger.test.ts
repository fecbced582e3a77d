// The fleet's fenced ledger on real Redis: a newer lease refuses every write of an older one, atomically.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FleetLedger } from '../../src/fleet/ledger.js';
import { FleetNodes } from '../../src/fleet/nodes.js';
import { TranscriptMirror } from '../../src/fleet/transcript.js';
import { tempDir } from '../helpers/fixtures.js';
import { redisUnavailable, removeKeys, startTestRedis, type TestRedis } from '../helpers/redis.js';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

describe('the fleet ledger', { skip: redisUnavailable() }, () => {
  let server: TestRedis;
  let redis: Redis;
  const name = `test-${randomBytes(4).toString('hex')}`;
  before(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
  });
  after(async () => {
    redis.disconnect();
    await removeKeys(server.url, `vp-fleet:${name}`);
    await server.stop();
  });

  it('refuses the writes of a lease a newer one replaced, and keeps every attempt', async () => {
    const ledger = new FleetLedger(redis, name);
    const { lease: first, previous } = await ledger.acquire('r1', 'node-a');
    assert.equal(previous, undefined);
    assert.equal(first.token, 1);
    assert.equal(await ledger.write(first, { sessionId: 's-a', claudeSessionId: 'c-1' }), true);
    const { lease: second, previous: seen } = await ledger.acquire('r1', 'node-b');
    assert.equal(second.token, 2);
    assert.equal(seen?.claudeSessionId, 'c-1', 'the taker sees the conversation to continue');
    assert.equal(await ledger.holds(first), false);
    assert.equal(await ledger.write(first, { state: 'completed' }), false, "the old lease's end is refused");
    assert.equal(await ledger.appendTranscript(first, 'c-1', 0, Buffer.from('late')), 'fenced');
    assert.equal((await ledger.get('r1'))?.state, 'running', 'nothing of the old lease was written');
    assert.equal(await ledger.write(second, { state: 'completed', sessionId: 's-b' }), true);
    const record = await ledger.get('r1');
    assert.deepEqual([record?.state, record?.node, record?.token, record?.attempts, record?.sessionId], ['completed', 'node-b', 2, 2, 's-b']);
    assert.deepEqual((await ledger.attempts('r1')).map((a) => [a.token, a.node]), [[1, 'node-a'], [2, 'node-b']]);
    // A request completed stays so: a later lease sees it and runs nothing.
    const { previous: done } = await ledger.acquire('r1', 'node-c');
    assert.equal(done?.state, 'completed');
    assert.equal((await ledger.get('r1'))?.state, 'completed');
    assert.deepEqual((await ledger.list()).map((r) => r.requestId), ['r1']);
  });

  it('hands out one token per start, however many nodes take it at once', async () => {
    const ledger = new FleetLedger(redis, name);
    const leases = await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.acquire('r2', `node-${i}`)));
    assert.deepEqual(leases.map((l) => l.lease.token).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
    const writes = await Promise.all(leases.map(({ lease }) => ledger.write(lease, { state: 'completed' })));
    assert.equal(writes.filter(Boolean).length, 1, 'only the newest lease writes');
  });

  it('mirrors a growing transcript in order, and again from the start when it shrank', async () => {
    const ledger = new FleetLedger(redis, name);
    const dir = tempDir('vp-mirror-');
    try {
      const file = join(dir.path, 'c.jsonl');
      const { lease } = await ledger.acquire('r3', 'node-a');
      const mirror = new TranscriptMirror(ledger, lease, 'c', () => Promise.resolve(file));
      writeFileSync(file, '{"a":1}\n');
      assert.equal(await mirror.sync(), 'ok');
      appendFileSync(file, '{"b":2}\n{"half');
      assert.equal(await mirror.sync(), 'ok');
      assert.equal((await ledger.transcript('r3', 'c'))?.toString(), '{"a":1}\n{"b":2}\n', 'a line the CLI is still writing waits');
      writeFileSync(file, '{"a":1}\n{"b":2}\n');
      assert.equal((await ledger.transcript('r3', 'c'))?.toString(), '{"a":1}\n{"b":2}\n');
      writeFileSync(file, '{"c":3}\n');
      await mirror.sync();
      assert.equal((await ledger.transcript('r3', 'c'))?.toString(), '{"c":3}\n');
      assert.equal((await ledger.get('r3'))?.transcriptBytes, 8);
      const { lease: taker } = await ledger.acquire('r3', 'node-b');
      appendFileSync(file, 'late\n');
      assert.equal(await mirror.sync(), 'fenced');
      assert.equal((await ledger.transcript('r3', 'c'))?.toString(), '{"c":3}\n');
      // The taker's copy holds the mirror already: only what its CLI appends goes to it.
      const copy = join(dir.path, 'taken.jsonl');
      writeFileSync(copy, '{"c":3}\n{"d":4}\n');
      const resumed = new TranscriptMirror(ledger, taker, 'c', () => Promise.resolve(copy), 8);
      assert.equal(await resumed.sync(), 'ok');
      assert.equal((await ledger.transcript('r3', 'c'))?.toString(), '{"c":3}\n{"d":4}\n');
    } finally {
      dir.remove();
    }
  });

  it('lists nodes with their heartbeats, a silent one as lost', async () => {
    const nodes = new FleetNodes(redis, name);
    await nodes.beat({ id: 'n1', host: 'h', pid: 1, maxSessions: 2, running: 1, paused: false });
    const later = Date.now() + 16_000;
    const [seen] = await nodes.list(5_000, later);
    assert.equal(seen?.lost, true);
    assert.equal((await nodes.list())[0]?.lost, false);
    await nodes.leave('n1');
    assert.deepEqual(await nodes.list(), []);
  });
});
