// The spawner driving the real Claude CLI against the offline model server.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findSessionProcesses, type ClaudeSessionStatus, type ResultMessage } from '../../src/index.js';
import { apiError, bash, hang, say, scenarioMarker, write } from '../../src/testing/index.js';
import { isAlive, makeConfig, waitFor } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';

const task = (scenario: string, extra = '') => ({
  taskId: `T-${scenario}`,
  description: `${extra}Work on it ${scenarioMarker(scenario)}`,
  priority: 'high' as const,
});

function lastResult(status: ClaudeSessionStatus): ResultMessage {
  const lines = readFileSync(status.files.stdout, 'utf8').trim().split('\n');
  const results = lines.map((l) => JSON.parse(l) as ResultMessage).filter((m) => m.type === 'result');
  const last = results.at(-1);
  assert.ok(last, 'a result line on disk');
  return last;
}

describe('ClaudeSessionSpawner with the real CLI', () => {
  let rig: RealCliRig;

  before(async () => {
    rig = await startRig([
      { name: 'auth', steps: [apiError(401, { message: 'invalid x-api-key' })] },
      { name: 'hang', steps: [hang()] },
      { name: 'two-turns', steps: [say('first answer'), say('second answer')] },
      { name: 'leaks', steps: [bash('(sleep 300 & echo LEAK=$!); nohup sleep 301 >/dev/null 2>&1 & echo LEAK=$!; setsid sleep 302 >/dev/null 2>&1 & echo LEAK=$!'), say('left some behind')] },
      { name: 'remember', steps: [say('The secret word is PELICAN-42.'), say('I remember.')] },
    ]);
  });
  after(() => rig.close());

  it('runs a session to completion with metrics taken from the stream', async () => {
    const spawner = rig.spawner();
    const out = join(rig.workDir, 'out.txt');
    rig.server.addScenario({ name: 'work-abs', steps: [bash('echo hello-from-bash'), write(out, 'one\n'), say('All done.', { input: 321, output: 45 })] });
    const ended: string[] = [];
    spawner.on('session-ended', ({ sessionId }) => ended.push(sessionId));
    const { sessionId, status, completion } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('work-abs') }));
    assert.equal(status.state, 'running');
    assert.ok(status.pid && status.pid > 0);
    assert.match(status.claudeSessionId, /^[0-9a-f-]{36}$/);

    const final = await completion;
    assert.equal(final.state, 'completed');
    assert.deepEqual(final.outcome?.reason, 'completed');
    assert.equal(final.resultText, 'All done.');
    assert.equal(final.exitCode, 0);
    assert.ok((final.executionTime ?? 0) > 0);
    assert.equal(final.metrics.commandsExecuted, 1);
    assert.equal(final.metrics.filesModified, 1);
    assert.deepEqual(final.modifiedFiles, [out]);
    assert.equal(readFileSync(out, 'utf8'), 'one\n');
    assert.equal(final.metrics.toolCalls['Bash'], 1);
    // Whichever CLI runs (the pinned 2.1.197 or VP_CLAUDE_PATH): the version comes from its system/init.
    assert.match(final.claudeCodeVersion ?? '', /^\d+\.\d+\.\d+$/);
    // The mode is passed, never left to the CLI's default (which changed across versions).
    const init = final.evidence?.lastMessages.find((m) => (m as { subtype?: string }).subtype === 'init') as { permissionMode?: string } | undefined;
    assert.equal(init?.permissionMode, 'dontAsk');

    // Tokens and cost are exactly what the CLI's result reports (cumulative per-model counters).
    const result = lastResult(final);
    const models = Object.values(result.modelUsage ?? {});
    assert.ok(models.length > 0);
    const sum = (k: 'inputTokens' | 'outputTokens') => models.reduce((a, m) => a + (m[k] ?? 0), 0);
    assert.equal(final.tokenUsage.input, sum('inputTokens'));
    assert.equal(final.tokenUsage.output, sum('outputTokens'));
    assert.equal(final.tokenUsage.total, final.tokenUsage.input + final.tokenUsage.output + final.tokenUsage.cacheRead + final.tokenUsage.cacheCreation);
    assert.equal(final.costUsd, result.total_cost_usd);
    assert.ok(final.tokenUsage.input >= 321);

    assert.deepEqual(ended, [sessionId]);
    assert.equal(spawner.getSessionStatus(sessionId)?.state, 'completed');
    assert.equal(spawner.getActiveSessions().length, 0);
    assert.equal(spawner.getMetricsSummary().totalSessions, 1);
  });

  it('delivers the charter to the model without writing CLAUDE.md into the working directory', async () => {
    const spawner = rig.spawner();
    const config = makeConfig(rig.workDir, { taskContext: task('two-turns') });
    config.charter.objectives = ['OBJECTIVE-MARKER-7731'];
    config.charter.constraints.forbiddenCommands = ['git push --force'];
    const { status, completion } = await spawner.spawnSession(config);
    await completion;
    const calls = rig.server.modelCalls(status.claudeSessionId);
    assert.ok(calls.length > 0, 'the model was called');
    const system = JSON.stringify(calls[0]?.body['system']);
    assert.ok(system.includes('OBJECTIVE-MARKER-7731'), 'charter objectives are in the system prompt');
    assert.ok(system.includes('git push --force'), 'forbidden commands are in the system prompt');
    assert.ok(existsSync(status.files.charter));
    assert.ok(status.files.charter.startsWith(join(rig.workDir, '.vp-daemon', 'sessions')));
    assert.equal(existsSync(join(rig.workDir, 'CLAUDE.md')), false);
  });

  it('counts distinct files and every Bash call', async () => {
    const spawner = rig.spawner();
    const a = join(rig.workDir, 'a.txt');
    const b = join(rig.workDir, 'b.txt');
    rig.server.addScenario({ name: 'files-abs', steps: [write(a, 'a'), write(b, 'b'), bash('echo x'), bash('echo y'), say('ok')] });
    const { completion } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('files-abs') }));
    const final = await completion;
    assert.equal(final.state, 'completed');
    assert.equal(final.metrics.filesModified, 2);
    assert.equal(final.metrics.commandsExecuted, 2);
    assert.equal(final.metrics.turns, 5);
  });

  it('treats an is_error result as a failure with a machine-readable outcome', async () => {
    const spawner = rig.spawner();
    const { completion } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('auth') }));
    const final = await completion;
    assert.equal(final.state, 'failed');
    assert.equal(final.outcome?.reason, 'api_error:auth');
    assert.equal(final.exitCode, 1);
  });

  it('answers follow-up input sent with sendInput before ending', async () => {
    const spawner = rig.spawner();
    const { sessionId, status, completion } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('two-turns') }));
    spawner.sendInput(sessionId, 'FOLLOW-UP-QUESTION-55');
    const final = await completion;
    assert.equal(final.state, 'completed');
    assert.equal(final.resultText, 'second answer');
    const calls = rig.server.modelCalls(status.claudeSessionId);
    assert.ok(calls.some((c) => c.text.includes('FOLLOW-UP-QUESTION-55')));
  });

  it('stops a hanging session on terminate, as terminated, with nothing left running', async () => {
    const spawner = rig.spawner();
    const { sessionId, status, completion } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('hang') }));
    await waitFor(() => rig.server.modelCalls(status.claudeSessionId).length > 0, 15_000, 'the model call');
    await spawner.terminateSession(sessionId, true);
    const final = await completion;
    assert.equal(final.state, 'terminated');
    assert.equal(final.outcome?.reason, 'terminated');
    assert.equal(isAlive(status.pid ?? 0), false);
    assert.deepEqual(await findSessionProcesses(sessionId), []);
  });

  it('ends a session that passes its wall-clock deadline as timeout', async () => {
    const spawner = rig.spawner();
    const timeouts: string[] = [];
    spawner.on('session-timeout', ({ kind }) => timeouts.push(kind));
    const { completion } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('hang'), timeout: 2500 }));
    const final = await completion;
    assert.equal(final.state, 'timeout');
    assert.equal(final.outcome?.reason, 'timeout:wall');
    assert.deepEqual(timeouts, ['wall']);
  });

  it('leaves no process behind: background, nohup and setsid children of Bash are reaped', async () => {
    // Unsandboxed, so the pids the tool prints are ours to check (a sandbox has its own PID namespace,
    // which dies whole: see the sandboxed case in containment.test.ts).
    const spawner = rig.spawner({ isolation: 'none' });
    const { sessionId, completion } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('leaks') }));
    const final = await completion;
    assert.equal(final.state, 'completed');
    const pids = [...readFileSync(final.files.stdout, 'utf8').matchAll(/LEAK=(\d+)/g)].map((m) => Number(m[1]));
    assert.equal(new Set(pids).size, 3, 'the tool started three background processes');
    for (const pid of pids) assert.equal(isAlive(pid), false, `process ${pid} was reaped`);
    assert.deepEqual(await findSessionProcesses(sessionId), []);
  });

  it('resumes a conversation by its Claude session id, keeping the earlier turns', async () => {
    const spawner = rig.spawner();
    const first = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('remember') }));
    const done = await first.completion;
    assert.equal(done.state, 'completed');
    const second = await spawner.spawnSession(
      makeConfig(rig.workDir, { taskContext: task('remember', 'Continue. '), resumeClaudeSessionId: done.claudeSessionId }),
    );
    const final = await second.completion;
    assert.equal(final.state, 'completed');
    assert.equal(final.claudeSessionId, done.claudeSessionId);
    const resumed = rig.server.modelCalls(done.claudeSessionId).at(-1);
    assert.ok(resumed?.text.includes('PELICAN-42'), 'the resumed request carries the earlier conversation');
  });
});
