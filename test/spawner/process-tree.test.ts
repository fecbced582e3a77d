import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { signalGroupExcept, signalProcess } from '../../src/spawner/process-tree.js';

describe('signalProcess', () => {
  it('refuses 0 and ±1 (its own group, every process, init) and what is not a pid', () => {
    for (const pid of [0, -0, 1, -1, Number.NaN, 2.5]) assert.equal(signalProcess(pid, 'SIGCONT'), false, String(pid));
  });

  it('signals a real process, and reports a gone one as not signalled', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(child, 'spawn');
    assert.equal(signalProcess(child.pid!, 'SIGKILL'), true);
    await once(child, 'exit');
    assert.equal(signalProcess(child.pid!, 'SIGKILL'), false);
  });
});

describe('signalGroupExcept', () => {
  it('signals every member of a process group but the one spared', async () => {
    // A group leader (sh) with two sleeps in its group: SIGTERM reaches the sleeps, not the leader.
    const leader = spawn('sh', ['-c', 'sleep 30 & sleep 30 & wait $!'], { detached: true, stdio: 'ignore' });
    await once(leader, 'spawn');
    const pgid = leader.pid!;
    try {
      let signalled = 0;
      for (let i = 0; i < 50 && signalled < 2; i++) {
        await new Promise((r) => setTimeout(r, 20));
        signalled = signalGroupExcept(pgid, pgid, 'SIGCONT');
      }
      assert.equal(signalled, 2, 'the two sleeps, not the leader');
      assert.equal(signalGroupExcept(pgid, pgid, 'SIGTERM'), 2);
      const [code] = (await once(leader, 'exit')) as [number | null];
      assert.equal(code, 143, 'the leader lived until wait returned: its children died of SIGTERM');
    } finally {
      signalProcess(-pgid, 'SIGKILL');
    }
  });
});
