import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { StartGate } from '../../src/spawner/start-gate.js';

describe('StartGate', () => {
  it('lets starts in first come, first served, at most perTick per turn of the loop and concurrent at once', async () => {
    const gate = new StartGate(3, 5);
    const entered: number[] = [];
    const leavers: (() => void)[] = [];
    for (let i = 0; i < 12; i += 1) {
      void gate.enter().then((leave) => {
        entered.push(i);
        leavers.push(leave);
      });
    }
    assert.deepEqual(entered, [], 'nothing starts in the tick that asked');
    await nextTurn();
    assert.deepEqual(entered, [0, 1, 2]);
    await nextTurn();
    assert.deepEqual(entered, [0, 1, 2, 3, 4], 'no more than 5 at once');
    await nextTurn();
    assert.equal(entered.length, 5);
    leavers[0]?.();
    leavers[0]?.(); // leaving twice counts once
    leavers[1]?.();
    await nextTurn();
    assert.deepEqual(entered, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(gate.size, 10);
    for (const leave of leavers) leave();
    while (entered.length < 12) {
      await nextTurn();
      for (const leave of leavers) leave();
    }
    assert.deepEqual(entered, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});
