// A 429 whose Retry-After is too long for the CLI to wait, with the real CLI.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyzeCrash, recoveryPolicy } from '../../src/index.js';
import { apiError, scenarioMarker } from '../../src/testing/index.js';
import { makeConfig } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';

describe('a long Retry-After with the real CLI', () => {
  let rig: RealCliRig;
  before(async () => {
    rig = await startRig([{ name: 'hour', steps: [apiError(429, { retryAfterSec: 3600, message: 'rate limited for an hour' })] }]);
  });
  after(() => rig.close());

  it('ends the session at once, classified as a rate limit that recovery waits out', async () => {
    // The CLI's own retries on (the rig turns them off): it gives up on a Retry-After over a minute, without retrying.
    const spawner = rig.spawner({ env: { CLAUDE_CODE_MAX_RETRIES: '3' } });
    const taskContext = { taskId: 'RL-1', description: `Work ${scenarioMarker('hour')}`, priority: 'high' as const };
    const started = Date.now();
    const { completion } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext }));
    const status = await completion;
    const took = Date.now() - started;

    assert.equal(status.state, 'failed');
    assert.equal(status.outcome?.reason, 'api_error:rate_limited');
    assert.equal(status.exitCode, 1);
    assert.equal(status.evidence?.apiErrorStatus, 429);
    assert.ok(took < 30_000, `ended after ${took} ms`);
    assert.equal(rig.server.modelCalls(status.claudeSessionId).length, 1, 'the CLI did not retry');

    const analysis = analyzeCrash(status);
    assert.equal(analysis.crashClass, 'rate_limited');
    // Neither version prints the server's Retry-After for an API key (no api_retry, no rate_limit_event), so
    // a reset time is known only when the CLI reports one; without it recovery waits its default.
    const resetsAt = status.evidence?.rateLimitResetsAtMs;
    if (resetsAt !== undefined) assert.ok(resetsAt > started, 'a reported reset lies ahead');
    const now = Date.now();
    const decision = recoveryPolicy(analysis, status, now);
    assert.equal(decision.action, 'wait');
    assert.ok((decision.waitUntilMs ?? 0) >= now + 30_000, decision.reason);
  });
});
