import assert from 'node:assert/strict';
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
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 1000, idleMs: 0, wallMs: 0 }, (r) => fired.push(r));
    t.mock.timers.tick(999);
    assert.deepEqual(fired, []);
    t.mock.timers.tick(1);
    assert.deepEqual(fired, ['timeout:startup']);
    d.clearAll();
  });

  void it('does not fire timeout:startup after started()', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
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
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
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
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
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
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
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
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const fired: StopReason[] = [];
    new Deadlines({ startupMs: 0, idleMs: -1, wallMs: 0 }, (r) => fired.push(r));
    t.mock.timers.tick(1e9);
    assert.deepEqual(fired, []);
  });

  void it('reports only the first deadline that passes', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const fired: StopReason[] = [];
    new Deadlines({ startupMs: 100, idleMs: 200, wallMs: 300 }, (r) => fired.push(r));
    t.mock.timers.tick(1000);
    assert.deepEqual(fired, ['timeout:startup']);
  });

  void it('picks the shortest when the deadlines differ', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const fired: StopReason[] = [];
    new Deadlines({ startupMs: 5000, idleMs: 3000, wallMs: 1000 }, (r) => fired.push(r));
    t.mock.timers.tick(10_000);
    assert.deepEqual(fired, ['timeout:wall']);
  });
});

void describe('Deadlines: output and the idle deadline', () => {
  void it('activity() restarts the idle deadline, to the millisecond', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 0, idleMs: 300, wallMs: 0 }, (r) => fired.push(r));
    for (let i = 0; i < 20; i++) {
      t.mock.timers.tick(30);
      d.activity();
    }
    // 600 ms have passed, twice the idle limit, with output every 30 ms.
    t.mock.timers.tick(299);
    assert.deepEqual(fired, []);
    t.mock.timers.tick(1);
    assert.deepEqual(fired, ['timeout:idle']);
  });

  void it('output just before the idle timer fires gives a whole new idle period', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 0, idleMs: 1000, wallMs: 0 }, (r) => fired.push(r));
    t.mock.timers.tick(999);
    d.activity();
    t.mock.timers.tick(999);
    assert.deepEqual(fired, []);
    t.mock.timers.tick(1);
    assert.deepEqual(fired, ['timeout:idle']);
  });

  void it('a pause keeps what was left of the silence', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 0, idleMs: 1000, wallMs: 0 }, (r) => fired.push(r));
    t.mock.timers.tick(200);
    d.activity();
    t.mock.timers.tick(300); // 700 ms of silence left
    d.pause();
    t.mock.timers.tick(10_000);
    assert.deepEqual(fired, []);
    d.resume();
    t.mock.timers.tick(699);
    assert.deepEqual(fired, []);
    t.mock.timers.tick(1);
    assert.deepEqual(fired, ['timeout:idle']);
  });

  void it('activity() does not move the wall deadline', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const fired: StopReason[] = [];
    const d = new Deadlines({ startupMs: 0, idleMs: 5000, wallMs: 200 }, (r) => fired.push(r));
    for (let i = 0; i < 7; i++) {
      t.mock.timers.tick(25);
      d.activity();
    }
    t.mock.timers.tick(24);
    assert.deepEqual(fired, []);
    t.mock.timers.tick(1);
    assert.deepEqual(fired, ['timeout:wall']);
    d.clearAll();
  });
});
