// A resumed session is told to continue once: the CLI does not re-run the interrupted turn as well.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { findSessionProcesses } from '../../src/index.js';
import { bash, say, scenarioMarker } from '../../src/testing/index.js';
import { makeConfig, waitFor } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';

const task = { taskId: 'R-once', description: `Work ${scenarioMarker('once')}`, priority: 'high' as const };
const RESUME_TEXT = 'this session was interrupted and has been restarted';

const runs = (sessionId: string, prefix: string) => async (): Promise<boolean> =>
  (await findSessionProcesses(sessionId)).some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').startsWith(prefix);
    } catch {
      return false;
    }
  });

describe('resuming an interrupted turn with the real CLI', () => {
  let rig: RealCliRig;
  before(async () => {
    // The answer's position after the resume depends on the version (see recovery.test.ts): both answer.
    rig = await startRig([{ name: 'once', steps: [bash('echo once-probe && sleep 30'), say('Continued.'), say('Continued.')] }]);
  });
  after(() => rig.close());

  it('sends the resume message exactly once, even when the environment asks the CLI to re-run the turn', async () => {
    // The CLI's own re-run (CLAUDE_CODE_RESUME_INTERRUPTED_TURN=1) would repeat the tool call in a model call of
    // its own and bring our message in as a second "continue"; the session environment turns it off.
    const spawner = rig.spawner({ env: { CLAUDE_CODE_RESUME_INTERRUPTED_TURN: '1' } });
    const first = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task }));
    await waitFor(runs(first.sessionId, 'sleep 30'), 20_000, 'the tool call to run');
    process.kill(first.status.pid ?? 0, 'SIGKILL');
    assert.equal((await first.completion).state, 'crashed');

    const { claudeSessionId } = first.status;
    const resumed = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task, resumeClaudeSessionId: claudeSessionId }));
    const done = await resumed.completion;
    assert.equal(done.state, 'completed', done.errorMessage);
    assert.equal(done.claudeSessionId, claudeSessionId);
    assert.equal(done.resultText, 'Continued.');
    const calls = rig.server.modelCalls(claudeSessionId);
    assert.equal(calls.length, 2, 'one call before the crash and one after the resume: no re-run of the interrupted turn');
    const after = JSON.stringify(calls[1]?.body['messages']);
    // 2.1.197 still notes "Continue from where you left off." in the repaired transcript (it does so whatever
    // the variable says); what matters is that the CLI runs no turn of its own and ours comes once.
    assert.equal(after.split(RESUME_TEXT).length - 1, 1, 'the resume message once');
  });
});
