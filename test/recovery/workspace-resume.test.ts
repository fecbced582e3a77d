// A session crashed by SIGSEGV mid-tool is resumed by the pool's recovery in the same workspace, with the files and
// commits of its first attempt; the branch it delivers holds the work of both attempts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SessionPool, SessionRecoveryManager, type ClaudeSessionStatus } from '../../src/index.js';
import { bash, say, scenarioMarker } from '../../src/testing/index.js';
import { crashWhileRunning } from '../helpers/crash.js';
import { makeConfig } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';
import { git, makeRepo } from '../workspace/helpers.js';

describe('recovery in a workspace, with the real CLI', () => {
  let rig: RealCliRig;
  let parent: string;
  before(async () => {
    rig = await startRig([
      {
        name: 'ws-crash',
        // CLI versions replay the interrupted turn differently (2.1.328 counts one more assistant turn): the resumed
        // conversation reaches a step that writes second.txt either way.
        steps: [
          bash('echo one > first.txt && git add first.txt && git commit -qm first && echo wip > wip.txt && echo working && sleep 33'),
          bash('echo two > second.txt'),
          bash('echo two > second.txt'),
          say('Done after the crash.'),
        ],
      },
    ]);
    parent = mkdtempSync(join(tmpdir(), 'vp-ws-resume-'));
  });
  after(async () => {
    await rig.close();
    rmSync(parent, { recursive: true, force: true });
  });

  it('SIGSEGV during work, then a resume in the same workspace: both attempts land on one branch', async () => {
    const repo = makeRepo(parent);
    const spawner = rig.spawner({ stateDir: join(parent, 'state') });
    const recovery = new SessionRecoveryManager(spawner, { crashDumpDirectory: join(parent, 'dumps'), jitter: 0, strategy: 'immediate', maxRetries: 2 });
    const pool = new SessionPool(spawner, { maxConcurrentSessions: 1, autoRecovery: true });
    pool.attachRecovery(recovery);
    const ended: ClaudeSessionStatus[] = [];
    spawner.on('session-ended', ({ status }) => ended.push(status));
    try {
      const done = new Promise<ClaudeSessionStatus>((resolve, reject) => {
        void pool.requestSession({
          requestId: 'ws-crash',
          config: makeConfig(repo, { taskContext: { taskId: 'WS-CRASH', description: `Work ${scenarioMarker('ws-crash')}`, priority: 'high' }, workspace: {} }),
          priority: 'high',
          onCompleted: resolve,
          onFailed: reject,
        }).then(({ sessionId }) => crashWhileRunning(sessionId, spawner.getSessionStatus(sessionId)?.pid ?? 0, 'sleep 33'), reject);
      });
      const final = await done;
      const [crashed] = ended;
      assert.equal(crashed?.state, 'crashed');
      assert.equal(crashed.outcome?.reason, 'signal:SIGSEGV');
      assert.equal(crashed.workspace?.kept, true, "a crashed session's workspace stays for its retry");
      assert.deepEqual(crashed.workspace?.filesChanged, ['first.txt', 'wip.txt']);
      assert.equal(final.state, 'completed');
      assert.equal(final.claudeSessionId, crashed.claudeSessionId, 'the conversation was resumed');
      const ws = final.workspace;
      assert.ok(ws);
      assert.equal(ws.path, crashed.workspace?.path, 'the same workspace folder');
      assert.equal(ws.branch, crashed.workspace?.branch);
      assert.deepEqual(ws.filesChanged, ['first.txt', 'second.txt', 'wip.txt']);
      assert.equal(git(repo, ['show', `${ws.branch}:wip.txt`]), 'wip');
      assert.deepEqual(git(repo, ['log', '--format=%s', `${ws.baseCommit}..${ws.branch}`]).split('\n'), [
        'vp-daemon: uncommitted work at session end',
        'vp-daemon: uncommitted work at session end',
        'first',
      ]);
      assert.equal(ws.kept, false, 'completed: the folder is removed once the branch has everything');
    } finally {
      await pool.drain(5000);
      recovery.close();
    }
  });
});
