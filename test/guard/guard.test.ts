// Charter enforcement with the real CLI: forbidden commands, approvals, tool allow-list and token budget.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClaudeSessionSpawner } from '../../src/index.js';
import { bash, say, scenarioMarker, write } from '../../src/testing/index.js';
import { makeConfig } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';

const task = (scenario: string) => ({ taskId: `G-${scenario}`, description: `Go ${scenarioMarker(scenario)}`, priority: 'high' as const });

describe('charter enforcement with the real CLI', () => {
  let rig: RealCliRig;
  let target: string;

  before(async () => {
    rig = await startRig();
    target = join(rig.workDir, 'target');
    mkdirSync(target);
    writeFileSync(join(target, 'keep.txt'), 'precious');
    // A deploy script that leaves a marker when it really runs.
    writeFileSync(join(rig.workDir, 'deploy.sh'), `#!/bin/sh\ntouch "${rig.workDir}/deployed-$1"\n`, { mode: 0o755 });
  });
  after(() => rig.close());

  it('blocks every form of a forbidden command before it runs; the files stay and the model sees why', async () => {
    const attempts = [
      `rm -rf ${target}`,
      `rm -fr ${target}`,
      `/bin/rm -r -f ${target}`,
      `bash -c "rm --recursive --force ${target}"`,
      `echo ok && sudo rm -rf ${target}`,
      `cd ${rig.workDir}; r''m -rf target`,
    ];
    rig.server.addScenario({ name: 'forbidden', steps: [...attempts.map((c) => bash(c)), bash('echo allowed-command-ran'), say('gave up')] });
    const spawner = rig.spawner();
    const blocked: string[] = [];
    spawner.on('tool-blocked', ({ input }) => blocked.push(String(input['command'])));
    const { status, completion } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('forbidden') }));
    const final = await completion;
    assert.equal(final.state, 'completed');
    assert.deepEqual(blocked, attempts);
    assert.ok(existsSync(join(target, 'keep.txt')), 'the target survived');
    const last = rig.server.modelCalls(status.claudeSessionId).at(-1);
    assert.ok(last?.text.includes('forbidden'), 'the model was told the reason');
    assert.ok(last?.text.includes('allowed-command-ran'), 'an ordinary command still ran');
  });

  it('blocks forbidden patterns in Write contents and paths', async () => {
    const spawner = rig.spawner();
    const file = join(rig.workDir, 'plan.md');
    const secrets = join(rig.workDir, 'prod.env');
    rig.server.addScenario({ name: 'pattern', steps: [write(file, 'Step 1: deploy to production'), write(secrets, 'A=1'), say('ok')] });
    const config = makeConfig(rig.workDir, { taskContext: task('pattern') });
    config.charter.constraints.forbiddenPatterns = [/deploy.*production/i, /\.env$/];
    const { completion } = await spawner.spawnSession(config);
    const final = await completion;
    assert.equal(final.state, 'completed');
    assert.equal(existsSync(file), false);
    assert.equal(existsSync(secrets), false);
    assert.ok(final.metrics.permissionDenials >= 2);
    assert.equal(final.metrics.filesModified, 0, 'refused writes modify nothing');
  });

  const approvalRun = async (
    name: string,
    answer: (spawner: ClaudeSessionSpawner, approvalId: string) => void,
    options: { approvalTimeoutMs?: number; timeout?: number } = {},
  ) => {
    rig.server.addScenario({ name, steps: [bash(`./deploy.sh ${name}`), say('finished')] });
    const spawner = rig.spawner({ approvalTimeoutMs: options.approvalTimeoutMs ?? 60_000 });
    const resolved: boolean[] = [];
    spawner.on('approval-resolved', ({ approved }) => resolved.push(approved));
    let waitingState: string | undefined;
    spawner.on('approval-requested', ({ sessionId, approvalId, toolName, reason }) => {
      assert.equal(toolName, 'Bash');
      assert.match(reason, /deploy/);
      waitingState = spawner.getSessionStatus(sessionId)?.state;
      answer(spawner, approvalId);
    });
    const { completion } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task(name), timeout: options.timeout }));
    const final = await completion;
    return { final, resolved, waitingState, ran: existsSync(join(rig.workDir, `deployed-${name}`)) };
  };

  it('runs a call that needs approval once a person approves it', async () => {
    const { final, resolved, waitingState, ran } = await approvalRun('approve', (s, id) => setTimeout(() => assert.ok(s.approve(id)), 200));
    assert.equal(waitingState, 'waiting_input');
    assert.equal(final.state, 'completed');
    assert.deepEqual(resolved, [true]);
    assert.equal(final.metrics.approvalPrompts, 1);
    assert.equal(ran, true);
  });

  it('does not run a call whose approval is denied', async () => {
    const { final, resolved, ran } = await approvalRun('deny', (s, id) => assert.ok(s.deny(id, 'not today')));
    assert.equal(final.state, 'completed');
    assert.deepEqual(resolved, [false]);
    assert.equal(ran, false);
  });

  it('denies an approval nobody answers at approvalTimeoutMs', async () => {
    const { final, resolved, ran } = await approvalRun('silence', () => undefined, { approvalTimeoutMs: 1500 });
    assert.equal(final.state, 'completed');
    assert.deepEqual(resolved, [false]);
    assert.equal(ran, false);
  });

  it('does not count time spent waiting for a person against the wall clock', async () => {
    // The person takes longer than the whole wall-clock limit; the session still completes.
    const { final, ran } = await approvalRun('slow-person', (s, id) => setTimeout(() => s.approve(id), 9000), { timeout: 8000 });
    assert.equal(final.state, 'completed');
    assert.equal(ran, true);
  });

  it('runs only the charter allowed tools', async () => {
    const spawner = rig.spawner();
    const touched = join(rig.workDir, 'touched.txt');
    rig.server.addScenario({ name: 'read-only', steps: [bash(`touch ${touched}`), say('could not')] });
    const config = makeConfig(rig.workDir, { taskContext: task('read-only') });
    config.charter.resources.allowedTools = ['read'];
    const final = await (await spawner.spawnSession(config)).completion;
    assert.equal(final.state, 'completed');
    assert.equal(existsSync(touched), false);
    assert.ok(final.metrics.permissionDenials >= 1);
  });

  it('stops a runaway session at its token budget, one model call past it at most', async () => {
    rig.server.addScenario({ name: 'runaway', loop: true, steps: [bash('echo again', { input: 1000, output: 100 })] });
    const spawner = rig.spawner();
    const warnings: number[] = [];
    spawner.on('budget-warning', ({ usedTokens }) => warnings.push(usedTokens));
    const config = makeConfig(rig.workDir, { taskContext: task('runaway') });
    config.charter.resources.maxTokens = 5000;
    const { status, completion } = await spawner.spawnSession(config);
    const final = await completion;
    assert.equal(final.state, 'failed');
    assert.equal(final.outcome?.reason, 'budget:tokens');
    assert.equal(warnings.length, 1);
    // Each call costs 1,100 tokens: the call that crosses 5,000 is the 5th; a 6th may already be in flight.
    const calls = rig.server.modelCalls(status.claudeSessionId).length;
    assert.ok(calls >= 5 && calls <= 6, `model calls: ${calls}`);
  });
});
