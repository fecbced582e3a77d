import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Deadlines, wallClockMs } from '../../src/spawner/deadlines.js';
import type { StopReason } from '../../src/spawner/outcome.js';

void describe('wallClockMs', () => {
  const cases: [number | undefined, number, number][] = [
    [undefined, 0, 0],
    [0, 0, 0],
    [undefined, 5000, 5000],
    [0, 5000, 5000],
    [3000, 0, 3000],
    [3000, 5000, 3000],
    [8000, 5000, 5000],
    [5000, 5000, 5000],
    [-1, 5000, 5000],
    [3000, -1, 3000],
  ];
  for (const [timeout, max, expected] of cases) {
    void it(`timeout ${String(timeout)}, maxExecutionTime ${max} -> ${expected}`, () => assert.equal(wallClockMs(timeout, max), expected));
  }
});

// Deadlines with node's mock timers: time moves only when the test ticks it.
void describe('Deadlines (mock timers)', () => {
  void it('fires timeout:startup when started() is not called', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 1000, idleMs: 0, wallMs: 0 }, (r) => fired.push(r));
    t.mock.timers.tick(999);
    assert.deepEqual(fired, []);
    t.mock.timers.tick(1);
    assert.deepEqual(fired, ['timeout:startup']);
    d.clearAll();
  });

  void it('does not fire timeout:startup after started()', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 1000, idleMs: 0, wallMs: 0 }, (r) => fired.push(r));
    t.mock.timers.tick(500);
    d.started();
    t.mock.timers.tick(10_000);
    assert.deepEqual(fired, []);
    d.started(); // a later system/init is harmless
    d.clearAll();
  });

  void it('fires timeout:wall at wallMs, whether or not the session started', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 0, idleMs: 0, wallMs: 5000 }, (r) => fired.push(r));
    d.started();
    t.mock.timers.tick(4999);
    assert.deepEqual(fired, []);
    t.mock.timers.tick(1);
    assert.deepEqual(fired, ['timeout:wall']);
    t.mock.timers.tick(60_000);
    assert.deepEqual(fired, ['timeout:wall'], 'once');
    d.clearAll();
  });

  void it('fires timeout:idle after idleMs of silence', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 0, idleMs: 2000, wallMs: 0 }, (r) => fired.push(r));
    t.mock.timers.tick(1999);
    assert.deepEqual(fired, []);
    t.mock.timers.tick(1);
    assert.deepEqual(fired, ['timeout:idle']);
    d.activity(); // after expiry: nothing to restart
    t.mock.timers.tick(10_000);
    assert.deepEqual(fired, ['timeout:idle']);
  });

  void it('clearAll stops every deadline', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 100, idleMs: 200, wallMs: 300 }, (r) => fired.push(r));
    t.mock.timers.tick(50);
    d.clearAll();
    t.mock.timers.tick(100_000);
    assert.deepEqual(fired, []);
    d.clearAll(); // twice is fine
    d.activity();
    d.started();
  });

  void it('arms nothing for 0 or negative settings', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const fired: StopReason[] = [];
    new Deadlines({ startupMs: 0, idleMs: -1, wallMs: 0 }, (r) => fired.push(r));
    t.mock.timers.tick(1e9);
    assert.deepEqual(fired, []);
  });

  void it('reports only the first deadline that passes', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const fired: StopReason[] = [];
    new Deadlines({ startupMs: 100, idleMs: 200, wallMs: 300 }, (r) => fired.push(r));
    t.mock.timers.tick(1000);
    assert.deepEqual(fired, ['timeout:startup']);
  });

  void it('picks the shortest when the deadlines differ', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const fired: StopReason[] = [];
    new Deadlines({ startupMs: 5000, idleMs: 3000, wallMs: 1000 }, (r) => fired.push(r));
    t.mock.timers.tick(10_000);
    assert.deepEqual(fired, ['timeout:wall']);
  });
});

// Node 20's mock timers do not reschedule on Timeout.refresh(), which activity() uses,
// so the idle restart is checked with real timers and wide margins (a 300 ms idle limit
// against 30 ms gaps between bursts of output).
void describe('Deadlines (real timers)', () => {
  void it('activity() restarts the idle deadline', async () => {
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 0, idleMs: 300, wallMs: 0 }, (r) => fired.push(r));
    try {
      for (let i = 0; i < 20; i++) {
        await sleep(30);
        d.activity();
      }
      // About 600 ms have passed, twice the idle limit, with output every 30 ms.
      assert.deepEqual(fired, []);
      await sleep(1000);
      assert.deepEqual(fired, ['timeout:idle']);
    } finally {
      d.clearAll();
    }
  });

  void it('activity() does not move the wall deadline', async () => {
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 0, idleMs: 5000, wallMs: 200 }, (r) => fired.push(r));
    try {
      for (let i = 0; i < 40 && fired.length === 0; i++) {
        await sleep(25);
        d.activity();
      }
      assert.deepEqual(fired, ['timeout:wall']);
    } finally {
      d.clearAll();
    }
  });
});
