// Two daemons of one fleet on real Redis and BullMQ, with the real CLI: requests submitted to either node go into one
// queue, the fleet's cap holds across nodes, each request completes once; bad fleets are typed errors.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createFleetMetrics, VPDaemon, type TriageRequest } from '../../src/index.js';
import { apiError, bash, say, scenarioMarker, startModelServer, type ModelServer } from '../../src/testing/index.js';
import { silentLogger, tempDir, waitFor } from '../helpers/fixtures.js';
import { redisUnavailable, removeKeys, startTestRedis, type TestRedis } from '../helpers/redis.js';

const charter = {
  identity: { name: 'Fleet VP', email: 'fleet@example.com', role: 'Engineer' },
  objectives: ['Finish the task'],
  constraints: { forbiddenCommands: ['rm -rf'], forbiddenPatterns: [/force.*push/i], requiredApprovals: ['deploy'] },
  resources: { maxTokens: 100_000, maxExecutionTime: 60_000, allowedTools: ['read', 'write', 'bash'] },
};

describe('a fleet of two daemons on Redis', { skip: redisUnavailable() }, () => {
  let redis: TestRedis;
  let server: ModelServer;
  let dir: ReturnType<typeof tempDir>;
  const fleetName = `test-${randomBytes(4).toString('hex')}`;
  before(async () => {
    redis = await startTestRedis();
    server = await startModelServer({
      scenarios: [
        { name: 'work', steps: [bash('echo working && sleep 2'), say('Done.')] },
        { name: 'ask', steps: [bash('echo deploy staging'), say('Deployed.')] },
        { name: 'long', steps: [bash('echo long && sleep 60'), say('Never.')] },
        // The CLI does not retry (the model server's env): the 429 ends the session, classified as a rate limit.
        { name: 'limited', steps: [apiError(429, { times: 1, message: 'slow down', then: say('Done after the limit.') })] },
      ],
    });
    dir = tempDir('vp-fleet-');
  });
  after(async () => {
    await removeKeys(redis.url, `vp-fleet:${fleetName}`);
    await redis.stop();
    await server.close();
    dir.remove();
  });

  const node = (n: number, fleet: Partial<{ url: string; name: string; maxSessions: number; leaseMs: number }> = {}) =>
    new VPDaemon({
      // A rate limit without a reported reset is waited out for 4 s (60 s by default).
      recovery: { rateLimitWaitMs: 4000, strategy: 'immediate', jitter: 0 },
      stateDir: join(dir.path, `node-${n}`),
      maxSessions: 2,
      logger: silentLogger,
      spawner: { env: { ...server.env, HOME: dir.path, CLAUDE_CONFIG_DIR: join(dir.path, `claude-${n}`) }, isolation: 'none' },
      fleet: { url: redis.url, name: fleetName, maxSessions: 3, ...fleet },
    });
  const request = (id: string, scenario = 'work'): TriageRequest => ({ requestId: id, task: { id, description: `Work ${scenarioMarker(scenario)}` }, charter, workingDirectory: dir.path, urgency: 'normal' });

  it('runs 20 requests submitted to either node, never more than 3 at once, each completed once', async () => {
    const nodes = [node(1), node(2)];
    let running = 0;
    let most = 0;
    const ended: string[] = [];
    for (const daemon of nodes) {
      daemon.spawner.on('session-spawned', () => (most = Math.max(most, ++running)));
      daemon.spawner.on('session-ended', ({ status }) => {
        running -= 1;
        if (status.state === 'completed') ended.push(status.sessionId);
      });
    }
    try {
      for (const daemon of nodes) await daemon.start();
      const ids = Array.from({ length: 20 }, (_, i) => `fleet-req-${i}`);
      for (const [i, id] of ids.entries()) await nodes[i % 2]!.handleTriageRequest(request(id));
      await assert.rejects(nodes[1]!.handleTriageRequest(request('fleet-req-0')), { code: 'ERR_DUPLICATE_REQUEST' });
      const completedOn = () => nodes.flatMap((d) => d.store.listRequests({ state: 'completed' }).map((r) => r.requestId));
      await waitFor(() => completedOn().length >= ids.length, 120_000, 'every request to complete');
      assert.deepEqual(completedOn().sort(), [...ids].sort(), 'each request completed on exactly one node');
      assert.equal(ended.length, ids.length, 'one completed session per request');
      assert.ok(most <= 3, `at most 3 sessions ran at once across the fleet (saw ${most})`);
      assert.ok(most >= 2, `the fleet ran sessions side by side (saw ${most})`);
      assert.ok(nodes.every((d) => d.store.listRequests({ state: 'completed' }).length > 0), 'both nodes took work');
      // The whole fleet from either node: its two nodes with heartbeats, and which node ran each request.
      const status = await nodes[1]!.fleetStatus();
      assert.equal(status?.nodes.length, 2);
      assert.ok(status?.nodes.every((n) => !n.lost && n.maxSessions === 2));
      // A node writes a request's end to the fleet once its session's end is recorded here and its branch pushed.
      await waitFor(async () => (await nodes[1]!.fleetRequests()).every((r) => r.state === 'completed'), 10_000, "the fleet's record of every end");
      const fleetRequests = await nodes[1]!.fleetRequests();
      assert.deepEqual(fleetRequests.map((r) => r.requestId).sort(), [...ids].sort());
      const nodeIds = new Set(status?.nodes.map((n) => n.id));
      const odd = fleetRequests.filter((r) => r.state !== 'completed' || r.attempts !== 1 || !nodeIds.has(r.node ?? ''));
      assert.deepEqual(odd, [], 'each completed on its first start, on a node of the fleet');
      // Per-node and fleet figures on /metrics: every series carries this node's id.
      const registry = new Registry();
      createFleetMetrics(registry, status.node, () => nodes[1]!.fleetStatus());
      const text = await registry.metrics();
      assert.match(text, new RegExp(`vp_daemon_fleet_nodes\\{state="up",node="${status.node}"\\} 2`));
      assert.match(text, /vp_daemon_fleet_jobs\{state="completed",node="[^"]+"\} 20/);
      assert.match(text, /vp_daemon_fleet_paused_seconds\{node="[^"]+"\} 0/);
      for (const n of status.nodes) assert.match(text, new RegExp(`vp_daemon_fleet_node_capacity\\{fleet_node="${n.id}",node="[^"]+"\\} 2`));
    } finally {
      await Promise.all(nodes.map((d) => d.stop(5000)));
    }
  });

  it('approves a call and cancels a request from the node that does not hold them', async () => {
    const nodes = [node(4), node(5)];
    try {
      for (const daemon of nodes) await daemon.start();
      await nodes[0]!.handleTriageRequest(request('fleet-ask', 'ask'));
      let holder = -1;
      let approvalId = '';
      await waitFor(() => {
        holder = nodes.findIndex((d) => d.spawner.getPendingApprovals().length > 0);
        approvalId = holder === -1 ? '' : (nodes[holder]!.spawner.getPendingApprovals()[0]?.approvalId ?? '');
        return holder !== -1;
      }, 60_000, 'the call to wait for approval');
      const other = nodes[1 - holder]!;
      assert.equal(await other.approve('approval-nowhere'), false, 'an approval no node holds');
      assert.equal(await other.approve(approvalId), true, 'approved from the other node');
      await waitFor(() => nodes[holder]!.store.getRequest('fleet-ask')?.state === 'completed', 60_000, 'the approved request to complete');

      await nodes[0]!.handleTriageRequest(request('fleet-long', 'long'));
      let runner = -1;
      await waitFor(() => (runner = nodes.findIndex((d) => d.spawner.getActiveSessions().length > 0)) !== -1, 60_000, 'the long request to run');
      const ended = new Promise<string>((resolve) => nodes[runner]!.spawner.once('session-ended', ({ status }) => resolve(status.state)));
      assert.equal(await nodes[1 - runner]!.cancel('fleet-long', true), true, 'cancelled from the other node');
      assert.equal(await ended, 'terminated');
    } finally {
      await Promise.all(nodes.map((d) => d.stop(5000)));
    }
  });

  it("drains one node: its session finishes there, and the next request runs on the other node", async () => {
    const nodes = [node(6), node(7)];
    try {
      for (const daemon of nodes) await daemon.start();
      await nodes[0]!.handleTriageRequest(request('fleet-drained'));
      let runner = -1;
      await waitFor(() => (runner = nodes.findIndex((d) => d.spawner.getActiveSessions().length > 0)) !== -1, 60_000, 'the request to run');
      await nodes[runner]!.drain(60_000);
      assert.equal(nodes[runner]!.store.getRequest('fleet-drained')?.state, 'completed', 'it finished on the drained node');
      await nodes[runner]!.handleTriageRequest(request('fleet-after'));
      const other = nodes[1 - runner]!;
      await waitFor(() => other.store.getRequest('fleet-after')?.state === 'completed', 90_000, 'the next request to run on the other node');
      assert.equal(nodes[runner]!.store.getRequest('fleet-after'), undefined);
    } finally {
      await Promise.all(nodes.map((d) => d.stop(5000)));
    }
  });

  it('a 429 on one node pauses the whole fleet until the limit resets', async () => {
    const nodes = [node(8), node(9)];
    try {
      for (const daemon of nodes) await daemon.start();
      await nodes[0]!.handleTriageRequest(request('fleet-limited', 'limited'));
      let pausedUntil = 0;
      await waitFor(async () => (pausedUntil = (await nodes[1]!.fleetStatus())?.pausedUntil ?? 0) > 0, 60_000, 'the fleet to pause');
      const spawnedAt: number[] = [];
      for (const daemon of nodes) daemon.spawner.on('session-spawned', () => spawnedAt.push(Date.now()));
      await nodes[1]!.handleTriageRequest(request('fleet-after-limit'));
      const ran = () => nodes.find((d) => d.store.getRequest('fleet-after-limit')?.state === 'completed');
      await waitFor(() => ran() !== undefined, 90_000, 'the next request to run once the pause is over');
      // BullMQ's limiter key counts in whole ms; the first spawn after the pause is the limited request's retry or the next one.
      assert.ok(spawnedAt.length > 0 && Math.min(...spawnedAt) >= pausedUntil - 50, `no session started during the pause (${Math.min(...spawnedAt) - pausedUntil} ms)`);
      await waitFor(() => nodes.some((d) => d.store.getRequest('fleet-limited')?.state === 'completed'), 60_000, 'the limited request to complete after its wait');
      assert.equal((await nodes[0]!.fleetStatus())?.pausedUntil, undefined, 'the pause is over');
    } finally {
      await Promise.all(nodes.map((d) => d.stop(5000)));
    }
  });

  it('refuses a fleet it cannot join, with a typed error, and starts nothing', async () => {
    await assert.rejects(node(3, { url: 'redis://127.0.0.1:1', name: fleetName }).start(), (e: unknown) => (e as { code?: string }).code === 'ERR_FLEET_UNREACHABLE' && /127\.0\.0\.1:1/.test((e as Error).message));
    await assert.rejects(node(3, { url: 'http://example.com' }).start(), { code: 'ERR_FLEET_URL', field: 'fleet.url' });
    await assert.rejects(node(3, { leaseMs: 10 }).start(), (e: unknown) => (e as { code?: string }).code === 'ERR_INVALID_OPTION' && /fleet\.leaseMs/.test((e as Error).message));
    await assert.rejects(node(3, { url: 'redis://user:s3cret@127.0.0.1:1' }).start(), (e: unknown) => !(e as Error).message.includes('s3cret'));
    const other = `test-${randomBytes(4).toString('hex')}`;
    const raw = new Redis(redis.url);
    try {
      await raw.set(`vp-fleet:${other}:meta`, JSON.stringify({ name: other, protocol: 99 }));
      await assert.rejects(node(3, { name: other }).start(), { code: 'ERR_FLEET_MISMATCH' });
    } finally {
      await raw.del(`vp-fleet:${other}:meta`);
      raw.disconnect();
    }
    // The state folder was left free: a daemon without a fleet starts on it.
    const plain = new VPDaemon({ stateDir: join(dir.path, 'node-3'), logger: silentLogger });
    await plain.start();
    await plain.stop();
  });
});
