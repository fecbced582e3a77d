import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ttlMemo } from '../../src/utils/memo.js';

void describe('ttlMemo', () => {
  void it('reads once per key within the time, again after it', (t) => {
    t.mock.timers.enable({ apis: ['Date'] });
    const memo = ttlMemo<number>(1000);
    let reads = 0;
    const read = (): number => ++reads;
    assert.equal(memo('a', read), 1);
    assert.equal(memo('a', read), 1);
    assert.equal(memo('b', read), 2);
    t.mock.timers.tick(1000);
    assert.equal(memo('a', read), 3);
  });

  void it('shares a pending read, and forgets one that failed', async () => {
    const memo = ttlMemo<Promise<string>>(60_000);
    let reads = 0;
    const failing = (): Promise<string> => (reads += 1, Promise.reject(new Error('gone')));
    const [a, b] = [memo('k', failing), memo('k', failing)];
    assert.equal(a, b);
    await assert.rejects(a, /gone/);
    await assert.rejects(memo('k', failing), /gone/);
    assert.equal(reads, 2);
  });

  void it('stays within maxEntries', () => {
    const memo = ttlMemo<number>(60_000, 2);
    let reads = 0;
    for (const key of ['a', 'b', 'c', 'a']) memo(key, () => ++reads);
    assert.equal(reads, 4); // 'a' was dropped when the cache started over at 'c'
  });
});
