// Redis restarted while a fleet node runs a session (real CLI): the session goes on, its end reaches the fleet once
// Redis is back, and the request completes once; a request queued before the restart runs after it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { VPDaemon, type TriageRequest } from '../../src/index.js';
import { FleetLedger } from '../../src/fleet/ledger.js';
import { bash, say, scenarioMarker, startModelServer, type ModelServer } from '../../src/testing/index.js';
import { waitForCommand } from '../helpers/crash.js';
import { silentLogger, tempDir, waitFor } from '../helpers/fixtures.js';
import { startPersistentRedis } from '../helpers/redis.js';

const noServer = process.env['CI'] !== 'true' && spawnSync('redis-server', ['--version']).status !== 0 ? 'no redis-server to restart' : undefined;
const charter = {
  identity: { name: 'Fleet VP', email: 'fleet@example.com', role: 'Engineer' },
  objectives: ['Finish the task'],
  constraints: { forbiddenCommands: [], forbiddenPatterns: [], requiredApprovals: [] },
  resources: { maxTokens: 100_000, maxExecutionTime: 60_000, allowedTools: ['read', 'write', 'bash'] },
};

describe('Redis restarted mid-run', { skip: noServer }, () => {
  let server: ModelServer;
  let dir: ReturnType<typeof tempDir>;
  before(async () => {
    server = await startModelServer({ scenarios: [{ name: 'through', steps: [bash('echo working && sleep 6'), say('Done.')] }] });
    dir = tempDir('vp-fleet-restart-');
  });
  after(async () => {
    await server.close();
    dir.remove();
  });

  it('a running session goes on, and its request completes once when Redis is back', async () => {
    const redis = await startPersistentRedis(dir.path);
    const name = `test-${randomBytes(4).toString('hex')}`;
    const daemon = new VPDaemon({
      stateDir: join(dir.path, 'node'),
      maxSessions: 1,
      logger: silentLogger,
      spawner: { env: { ...server.env, HOME: dir.path, CLAUDE_CONFIG_DIR: join(dir.path, 'claude') }, isolation: 'none' },
      fleet: { url: redis.url, name, leaseMs: 10_000, stalledCheckMs: 5_000 },
    });
    const ended: string[] = [];
    daemon.spawner.on('session-ended', ({ status }) => ended.push(status.state));
    const request = (id: string): TriageRequest => ({ requestId: id, task: { id, description: `Work ${scenarioMarker('through')}` }, charter, workingDirectory: dir.path, urgency: 'normal' });
    const raw = new Redis(redis.url, { maxRetriesPerRequest: null });
    raw.on('error', () => undefined);
    try {
      await daemon.start();
      await daemon.handleTriageRequest(request('before-restart'));
      // One node, one session at a time: this one waits in the fleet's queue through the restart.
      await daemon.handleTriageRequest(request('queued-over-restart'));
      let sessionId = '';
      await waitFor(() => (sessionId = daemon.spawner.getActiveSessions()[0]?.sessionId ?? '') !== '', 60_000, 'the session to run');
      await waitForCommand(sessionId, 'sleep 6');
      await redis.restart(1000);
      const ledger = new FleetLedger(raw, name);
      await waitFor(async () => (await ledger.get('queued-over-restart'))?.state === 'completed', 90_000, 'both requests to complete');
      const first = await ledger.get('before-restart');
      assert.equal(first?.state, 'completed');
      assert.equal(first?.attempts, 1, 'the session went on: no other start');
      assert.equal((await ledger.get('queued-over-restart'))?.attempts, 1);
      assert.deepEqual(ended, ['completed', 'completed'], 'two sessions, each completed');
      assert.equal(daemon.store.getRequest('before-restart')?.state, 'completed', "the node's own record");
    } finally {
      await daemon.stop(5000);
      raw.disconnect();
      await redis.stop();
    }
  });
});
