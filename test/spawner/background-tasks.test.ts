// A `result` that comes while background tasks run is not the end of the session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BackgroundTasks } from '../../src/spawner/run/background-tasks.js';
import { Turns } from '../../src/spawner/run/turns.js';
import type { StreamMessage } from '../../src/spawner/stream/messages.js';
import { say, scenarioMarker, type ModelStep } from '../../src/testing/index.js';
import { makeConfig } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';

const sys = (subtype: string, fields: Record<string, unknown> = {}): StreamMessage => ({ type: 'system', subtype, ...fields });
const bgCall = (id: string): StreamMessage => ({
  type: 'assistant',
  message: { content: [{ type: 'tool_use', id, name: 'Bash', input: { command: 'make', run_in_background: true } }] },
});
const INIT = sys('init', { session_id: 's' });
const RESULT: StreamMessage = { type: 'result', subtype: 'success', is_error: false };

void describe('BackgroundTasks', () => {
  void it('follows the task messages of 2.1.2xx: marked tasks, and the full list in background_tasks_changed', () => {
    const tasks = new BackgroundTasks();
    tasks.apply(sys('task_started', { task_id: 'b1', tool_use_id: 'toolu_1', description: 'build', task_type: 'local_bash', is_backgrounded: true }));
    tasks.apply(sys('background_tasks_changed', { tasks: [{ task_id: 'b1', task_type: 'local_bash', description: 'build' }, { task_id: 'a2', task_type: 'local_agent' }] }));
    assert.deepEqual(tasks.list(), [
      { taskId: 'b1', type: 'local_bash', description: 'build', toolUseId: 'toolu_1' },
      { taskId: 'a2', type: 'local_agent' },
    ]);
    assert.equal(tasks.apply(sys('task_notification', { task_id: 'b1', status: 'completed' })), true, 'its end is reported to the model');
    tasks.apply(sys('background_tasks_changed', { tasks: [] }));
    assert.equal(tasks.count, 0);
  });

  void it('follows those of 2.1.197: a task counts when its tool call asked for the background', () => {
    const tasks = new BackgroundTasks();
    tasks.apply(sys('task_started', { task_id: 'f1', tool_use_id: 'toolu_fg', task_type: 'local_agent' }));
    tasks.apply(bgCall('toolu_bg'));
    tasks.apply(sys('task_started', { task_id: 'b1', tool_use_id: 'toolu_bg', description: 'bg', task_type: 'local_bash' }));
    assert.deepEqual(tasks.list().map((t) => t.taskId), ['b1'], 'a foreground task is not waited for');
    tasks.apply(sys('task_updated', { task_id: 'b1', patch: { status: 'completed' } }));
    assert.equal(tasks.count, 0);
    assert.equal(tasks.apply(sys('task_notification', { task_id: 'f1', status: 'completed' })), false, 'no report turn for a foreground task');
  });
});

void describe('Turns', () => {
  void it('is answered by the last result when no background task runs', () => {
    let answered = 0;
    const turns = new Turns(50, () => (answered += 1));
    turns.sent();
    for (const m of [INIT, RESULT, INIT]) turns.apply(m);
    assert.equal(answered, 0, 'one message still waits for its result');
    turns.apply(RESULT);
    assert.equal(answered, 1);
    turns.apply(RESULT);
    assert.equal(answered, 1, 'once');
  });

  void it('waits for the background tasks, then for the turn in which the CLI reports them', () => {
    let answered = 0;
    const turns = new Turns(60_000, () => (answered += 1));
    for (const m of [INIT, bgCall('toolu_1'), sys('task_started', { task_id: 'b1', tool_use_id: 'toolu_1' }), RESULT]) turns.apply(m);
    assert.equal(answered, 0, 'a background task runs');
    turns.apply(sys('task_notification', { task_id: 'b1', status: 'completed' }));
    assert.equal(answered, 0, 'the report turn is expected');
    turns.apply(INIT);
    turns.apply(RESULT);
    assert.equal(answered, 1);
    turns.close();
  });

  void it('gives up on an expected report turn that does not come', async () => {
    let answered = 0;
    const turns = new Turns(30, () => (answered += 1));
    for (const m of [INIT, bgCall('toolu_1'), sys('task_started', { task_id: 'b1', tool_use_id: 'toolu_1' })]) turns.apply(m);
    turns.apply(sys('task_notification', { task_id: 'b1', status: 'completed' }));
    turns.apply(RESULT);
    assert.equal(answered, 0);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(answered, 1);
  });
});

describe('background tasks with the real CLI', () => {
  let rig: RealCliRig;
  const background: ModelStep = { kind: 'tool', name: 'Bash', input: { command: 'sleep 3; echo bg-done', description: 'bg', run_in_background: true } };
  before(async () => {
    rig = await startRig([{ name: 'bg', steps: [background, say('Started it.'), say('After the background task.'), say('After the background task.')] }]);
  });
  after(() => rig.close());

  it('shows the running task after the first result and completes once the CLI has reported its end', async () => {
    const spawner = rig.spawner();
    const taskContext = { taskId: 'BG-1', description: `Work ${scenarioMarker('bg')}`, priority: 'high' as const };
    const seenAtFirstResult = new Promise<ReturnType<typeof spawner.getSessionStatus>>((resolve) => {
      spawner.on('session-message', ({ sessionId, message }) => {
        if (message.type === 'result') resolve(spawner.getSessionStatus(sessionId));
      });
    });
    const { completion, status: started } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext }));
    const during = await seenAtFirstResult;
    assert.equal(during?.state, 'running', 'a result with a background task running is not the end');
    assert.equal(during?.resultText, 'Started it.');
    assert.deepEqual(during?.backgroundTasks?.map((t) => [t.type, t.description]), [['local_bash', 'bg']]);

    const done = await completion;
    assert.equal(done.state, 'completed', done.errorMessage);
    assert.equal(done.resultText, 'After the background task.');
    assert.deepEqual(done.backgroundTasks, []);
    const calls = rig.server.modelCalls(started.claudeSessionId);
    assert.equal(calls.length, 3, 'the tool call, its answer, and the report of the background task');
    assert.ok(calls[2]?.text.includes('task-notification'), 'the CLI told the model the task ended');
  });
});
