import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { findSessionProcesses, markerOf, signalGroupExcept, signalProcess } from '../../src/spawner/process-tree.js';

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

const environ = (...entries: string[]): Buffer => Buffer.from(`${entries.join('\0')}\0`);

describe('session markers in /proc', () => {
  it('reads the marker wherever it stands in the environment, and only the whole variable', () => {
    assert.equal(markerOf(environ('VP_DAEMON_SESSION=s-1', 'PATH=/bin')), 's-1');
    assert.equal(markerOf(environ('PATH=/bin', 'VP_DAEMON_SESSION=s-2')), 's-2');
    assert.equal(markerOf(Buffer.from('PATH=/bin\0VP_DAEMON_SESSION=s-3')), 's-3');
    assert.equal(markerOf(environ('XVP_DAEMON_SESSION=s-4', 'PATH=/bin')), undefined);
    assert.equal(markerOf(environ('PATH=/bin')), undefined);
  });

  it('finds the processes of many sessions asked at once, each its own, in shared passes', async () => {
    const children = Array.from({ length: 6 }, (_, i) =>
      spawn('/bin/sleep', ['30'], { env: { VP_DAEMON_SESSION: `scan-${process.pid}-${i % 3}` }, stdio: 'ignore' }),
    );
    try {
      await Promise.all(children.map((c) => once(c, 'spawn')));
      const found = await Promise.all([0, 1, 2, 0].map((i) => findSessionProcesses(`scan-${process.pid}-${i}`)));
      const pids = (i: number): number[] => children.filter((_, j) => j % 3 === i).map((c) => c.pid!).sort();
      assert.deepEqual(found.map((f) => [...f].sort()), [pids(0), pids(1), pids(2), pids(0)]);
      assert.deepEqual(await findSessionProcesses(`scan-${process.pid}-none`), []);
    } finally {
      for (const c of children) c.kill('SIGKILL');
    }
  });
});
