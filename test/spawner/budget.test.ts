// Budgets with the real CLI (in its sandbox) against the offline model server: output-heavy model calls
// against maxTokens and maxCostUsd, and the CLI's own --max-budget-usd. Budget stops are never retried.
// Also what the partial messages the budgets need (--include-partial-messages) must not change.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SpawnerEvents, SpawnerOptions } from '../../src/index.js';
import { analyzeCrash, isCrash, recoveryPolicy } from '../../src/index.js';
import { estimateCostUsd } from '../../src/spawner/pricing.js';
import { bash, say, scenarioMarker } from '../../src/testing/index.js';
import { makeConfig } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';

type Warning = SpawnerEvents['budget-warning'][0];

// Each model call reads 5,000 tokens and writes 5,000: the output is what the assistant messages miss.
const HEAVY = { input: 5000, output: 5000 };
const task = (scenario: string) => ({ taskId: `B-${scenario}`, description: `Keep going ${scenarioMarker(scenario)}`, priority: 'high' as const });

describe('budgets with the real CLI', () => {
  let rig: RealCliRig;

  before(async () => {
    rig = await startRig();
  });
  after(() => rig.close());

  // A runaway agent: every call runs one more command, forever.
  async function runaway(name: string, resources: { maxTokens: number; maxCostUsd?: number }, options?: SpawnerOptions) {
    rig.server.addScenario({ name, loop: true, steps: [bash('echo again', HEAVY)] });
    const spawner = rig.spawner(options);
    const warnings: Warning[] = [];
    spawner.on('budget-warning', (w) => warnings.push(w));
    const config = makeConfig(rig.workDir, { taskContext: task(name) });
    Object.assign(config.charter.resources, resources);
    const { status, completion } = await spawner.spawnSession(config);
    const final = await completion;
    const calls = rig.server.modelCalls(status.claudeSessionId);
    return { final, calls, warnings };
  }

  it('stops output-heavy calls at maxTokens within one model call, and is not retried', async () => {
    const { final, calls, warnings } = await runaway('heavy-tokens', { maxTokens: 50_000 });
    assert.equal(final.state, 'failed');
    assert.equal(final.outcome?.reason, 'budget:tokens');
    // 10,000 tokens a call: the 5th call reaches 50,000 at its message_delta; a 6th may have started.
    assert.ok(calls.length >= 5 && calls.length <= 6, `model calls: ${calls.length}`);
    assert.ok(final.tokenUsage.output >= 25_000, `output tokens counted: ${final.tokenUsage.output}`);
    assert.ok(final.tokenUsage.total >= 50_000 && final.tokenUsage.total <= 60_000, `tokens: ${final.tokenUsage.total}`);
    assert.deepEqual(warnings.map((w) => w.kind), ['tokens']);
    assert.ok(warnings[0] !== undefined && warnings[0].usedTokens >= 40_000 && warnings[0].usedTokens < 50_000);
    // The partial messages are not emitted one by one, but stdout.jsonl keeps them all.
    const deltas = readFileSync(final.files.stdout, 'utf8').split('\n').filter((l) => l.includes('"type":"message_delta"'));
    assert.ok(deltas.length >= 5, `message_delta lines in stdout.jsonl: ${deltas.length}`);
    assert.equal(isCrash(final), false);
    assert.equal(recoveryPolicy(analyzeCrash(final), final, Date.now()).action, 'never');
  });

  it('stops at maxCostUsd within one model call, estimated live from the token counts', async () => {
    const maxCostUsd = 0.5;
    // maxTokens only as a net: 20 calls.
    const { final, calls, warnings } = await runaway('heavy-cost', { maxTokens: 200_000, maxCostUsd });
    assert.equal(final.state, 'failed');
    assert.equal(final.outcome?.reason, 'budget:cost');
    // The price of one call for the model the CLI asked for (claude-opus-4-8 with 2.1.197: $0.15).
    const model = String(calls[0]?.body['model']);
    const perCall = estimateCostUsd({ ...HEAVY, cacheCreation: 0, cacheRead: 0 }, model);
    const crossing = Math.ceil(maxCostUsd / perCall);
    assert.ok(calls.length >= crossing && calls.length <= crossing + 1, `model calls: ${calls.length}, ${crossing} cross $${maxCostUsd} at $${perCall} each (${model})`);
    assert.ok(final.costUsd >= maxCostUsd && final.costUsd <= maxCostUsd + 2 * perCall, `cost: ${final.costUsd}`);
    assert.deepEqual(warnings.map((w) => w.kind), ['cost']);
    assert.ok(warnings[0] !== undefined && warnings[0].usedCostUsd >= 0.8 * maxCostUsd && warnings[0].maxCostUsd === maxCostUsd);
    assert.equal(recoveryPolicy(analyzeCrash(final), final, Date.now()).action, 'never');
  });

  it("maps the CLI's own --max-budget-usd stop to budget:cost, with the CLI's cost", async () => {
    const { final, calls } = await runaway('cli-cost', { maxTokens: 200_000 }, { extraArgs: ['--max-budget-usd=0.2'] });
    assert.equal(final.state, 'failed');
    assert.equal(final.outcome?.reason, 'budget:cost');
    assert.equal(final.evidence?.resultSubtype, 'error_max_budget_usd');
    // The CLI checks its cap after each call: it stops within one call past $0.2 (2.1.197 at the first call
    // past it, 2.1.328 one call later).
    const model = String(calls[0]?.body['model']);
    const perCall = estimateCostUsd({ ...HEAVY, cacheCreation: 0, cacheRead: 0 }, model);
    const first = Math.floor(0.2 / perCall) + 1;
    assert.ok(calls.length >= first && calls.length <= first + 1, `model calls: ${calls.length}, expected ${first} or ${first + 1}`);
    type Result = { total_cost_usd?: number; modelUsage?: Record<string, { outputTokens?: number }> };
    const result = final.evidence?.lastMessages.findLast((m) => (m as { type?: string }).type === 'result') as Result | undefined;
    assert.equal(final.costUsd, result?.total_cost_usd, "the final cost is the CLI's total_cost_usd");
    // The final tokens are the CLI's too (its counters also hold side calls, which the scenario does not script).
    const output = Object.values(result?.modelUsage ?? {}).reduce((sum, u) => sum + (u.outputTokens ?? 0), 0);
    assert.equal(final.tokenUsage.output, output);
    assert.ok(output >= calls.length * HEAVY.output);
    assert.equal(isCrash(final), false);
  });

  it('keeps a secret the model streams in pieces out of output events, messages and tails', async () => {
    const secret = 'tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0-private';
    // The offline server streams text 24 characters a delta: the secret is split over three of them.
    rig.server.addScenario({ name: 'echo-secret', steps: [say(`The token is ${secret}, as asked.`)] });
    const spawner = rig.spawner({ env: { MY_SERVICE_TOKEN: secret } });
    const seen: string[] = [];
    spawner.on('session-output', ({ data }) => seen.push(data));
    spawner.on('session-message', ({ message }) => seen.push(JSON.stringify(message)));
    const final = await (await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('echo-secret') }))).completion;
    assert.equal(final.state, 'completed');
    assert.ok(readFileSync(final.files.stdout, 'utf8').includes('"content_block_delta"'), 'the deltas are in stdout.jsonl');
    const shown = [...seen, final.stdout, JSON.stringify(final.evidence)].join('\n');
    assert.ok(shown.includes('[redacted]'));
    for (let i = 0; i + 8 <= secret.length; i += 4) assert.equal(shown.includes(secret.slice(i, i + 8)), false, `piece ${secret.slice(i, i + 8)}`);
  });
});
