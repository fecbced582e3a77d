import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/session/errors.js';
import { DEFAULT_PRIORITY_WEIGHTS } from '../../src/session/priority.js';
import { PriorityScheduler, type QueuedEntry } from '../../src/pool/scheduler.js';
import type { SessionPriority } from '../../src/session/types.js';

const ids = <T>(entries: readonly (QueuedEntry<T> | undefined)[]): (string | undefined)[] => entries.map((e) => e?.id);

function drain<T>(scheduler: PriorityScheduler<T>): string[] {
  const out: string[] = [];
  for (let entry = scheduler.pop(); entry !== undefined; entry = scheduler.pop()) out.push(entry.id);
  return out;
}

describe('PriorityScheduler order', () => {
  it('runs critical, then high, then medium, then low', () => {
    const s = new PriorityScheduler<string>();
    const pushed: SessionPriority[] = ['low', 'medium', 'critical', 'low', 'high', 'medium', 'critical', 'high'];
    pushed.forEach((p, i) => s.push(`${p}-${i}`, p, `item ${i}`, 1_000 + i));
    assert.deepEqual(drain(s), ['critical-2', 'critical-6', 'high-4', 'high-7', 'medium-1', 'medium-5', 'low-0', 'low-3']);
    assert.equal(s.size, 0);
    assert.equal(s.pop(), undefined);
    assert.equal(s.peek(), undefined);
  });

  it('is first-in first-out within a priority, by enqueuedAtMs', () => {
    const s = new PriorityScheduler<null>({ agingIntervalMs: 0 });
    // Pushed out of time order: the earlier timestamp still runs first.
    s.push('b', 'high', null, 20);
    s.push('a', 'high', null, 10);
    s.push('c', 'high', null, 30);
    assert.deepEqual(drain(s), ['a', 'b', 'c']);
  });

  it('is first-in first-out within a priority and the same enqueuedAtMs, by insertion order (seq)', () => {
    const s = new PriorityScheduler<number>();
    const names = ['q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p'];
    const entries = names.map((id, i) => s.push(id, 'medium', i, 5_000));
    assert.deepEqual(
      entries.map((e) => e.seq),
      [...entries.keys()].map((i) => entries[0]!.seq + i),
    );
    assert.deepEqual(drain(s), names);
  });

  it('returns the entry it queued, frozen, with the item untouched', () => {
    const s = new PriorityScheduler<{ prompt: string }>();
    const item = { prompt: 'hello' };
    const entry = s.push('x', 'low', item, 42);
    const { item: got, ...rest } = entry;
    assert.deepEqual(rest, { id: 'x', priority: 'low', enqueuedAtMs: 42, seq: entry.seq });
    assert.equal(got, item);
    assert.ok(Object.isFrozen(entry));
    assert.equal(s.peek(), entry);
    assert.equal(s.pop(), entry);
  });

  it('peek shows the next entry without removing it', () => {
    const s = new PriorityScheduler<null>();
    s.push('low', 'low', null, 0);
    s.push('high', 'high', null, 0);
    assert.equal(s.peek()?.id, 'high');
    assert.equal(s.size, 2);
    assert.equal(s.pop()?.id, 'high');
    assert.equal(s.peek()?.id, 'low');
  });
});

describe('PriorityScheduler aging', () => {
  const interval = 1_000;

  it('a low entry that waited more than 3 intervals runs before a newer critical one', () => {
    const s = new PriorityScheduler<null>({ agingIntervalMs: interval });
    s.push('critical', 'critical', null, 3 * interval + 1);
    s.push('low', 'low', null, 0);
    assert.deepEqual(drain(s), ['low', 'critical']);
  });

  it('a low entry that waited only 2 intervals does not overtake a critical one', () => {
    const s = new PriorityScheduler<null>({ agingIntervalMs: interval });
    s.push('low', 'low', null, 0);
    s.push('critical', 'critical', null, 2 * interval);
    assert.deepEqual(drain(s), ['critical', 'low']);
  });

  it('on an exact tie of effective priority the earlier entry runs first', () => {
    const s = new PriorityScheduler<null>({ agingIntervalMs: interval });
    s.push('critical', 'critical', null, 3 * interval); // 4 - 3 = 1
    s.push('low', 'low', null, 0); // 1 - 0 = 1
    assert.deepEqual(drain(s), ['low', 'critical']);
  });

  it('the tie is exact with realistic wall-clock times and a non-power-of-two interval', () => {
    const now = 1_767_225_600_123; // 2026-01-01, in ms
    const s = new PriorityScheduler<null>({ agingIntervalMs: 60_000 });
    s.push('critical', 'critical', null, now + 3 * 60_000);
    s.push('high', 'high', null, now + 2 * 60_000);
    s.push('medium', 'medium', null, now + 60_000);
    s.push('low', 'low', null, now);
    s.push('high-later', 'high', null, now + 2 * 60_000 + 1);
    assert.deepEqual(drain(s), ['low', 'medium', 'high', 'critical', 'high-later']);
  });

  it('keeps an exact tie where the floating-point key weight - t / interval would round it away', () => {
    // 1 - t/60000 and 4 - (t + 180000)/60000 are equal, but as doubles the second comes out larger for this t.
    const t = 125_828_987_178;
    assert.ok(4 - (t + 180_000) / 60_000 > 1 - t / 60_000, 'precondition: the naive float key misorders');
    const s = new PriorityScheduler<null>({ agingIntervalMs: 60_000 });
    s.push('critical', 'critical', null, t + 180_000);
    s.push('low', 'low', null, t);
    assert.deepEqual(drain(s), ['low', 'critical']);
  });

  it('uses the default interval of 60 s', () => {
    const s = new PriorityScheduler<null>();
    s.push('low', 'low', null, 0);
    s.push('high-soon', 'high', null, 2 * 60_000 - 1);
    s.push('high-late', 'high', null, 2 * 60_000 + 1);
    assert.deepEqual(drain(s), ['high-soon', 'low', 'high-late']);
  });

  it('agingIntervalMs 0 means strict priority, however long an entry waited', () => {
    const s = new PriorityScheduler<null>({ agingIntervalMs: 0 });
    s.push('low', 'low', null, 0);
    s.push('medium', 'medium', null, 1e12);
    s.push('critical', 'critical', null, 2e12);
    s.push('high', 'high', null, 3e12);
    assert.deepEqual(drain(s), ['critical', 'high', 'medium', 'low']);
  });
});

describe('PriorityScheduler remove', () => {
  function filled(): PriorityScheduler<number> {
    const s = new PriorityScheduler<number>({ agingIntervalMs: 0 });
    const priorities: SessionPriority[] = ['medium', 'critical', 'low', 'high', 'medium', 'low', 'high', 'critical', 'low'];
    priorities.forEach((p, i) => s.push(`e${i}`, p, i, i));
    return s;
  }
  const fullOrder = ['e1', 'e7', 'e3', 'e6', 'e0', 'e4', 'e2', 'e5', 'e8'];

  it('removes the head', () => {
    const s = filled();
    assert.equal(s.peek()?.id, 'e1');
    const removed = s.remove('e1');
    assert.equal(removed?.id, 'e1');
    assert.equal(removed?.item, 1);
    assert.equal(s.has('e1'), false);
    assert.equal(s.size, 8);
    assert.equal(s.peek()?.id, 'e7');
    assert.deepEqual(drain(s), fullOrder.filter((id) => id !== 'e1'));
  });

  it('removes a middle entry', () => {
    const s = filled();
    assert.equal(s.remove('e0')?.priority, 'medium');
    assert.equal(s.remove('e6')?.priority, 'high');
    assert.equal(s.size, 7);
    assert.deepEqual(drain(s), fullOrder.filter((id) => id !== 'e0' && id !== 'e6'));
  });

  it('removes the last entry in run order and the last one in the array', () => {
    const s = filled();
    assert.equal(s.remove('e8')?.id, 'e8');
    assert.deepEqual(drain(s), fullOrder.filter((id) => id !== 'e8'));
  });

  it('returns undefined for an unknown id and changes nothing', () => {
    const s = filled();
    assert.equal(s.remove('nope'), undefined);
    assert.equal(s.size, 9);
    assert.deepEqual(drain(s), fullOrder);
    assert.equal(s.remove('e1'), undefined, 'already popped');
  });

  it('lets a removed id be queued again', () => {
    const s = filled();
    s.remove('e2');
    s.push('e2', 'critical', 99, 100);
    assert.equal(s.position('e2'), 2);
    assert.deepEqual(drain(s), ['e1', 'e7', 'e2', 'e3', 'e6', 'e0', 'e4', 'e5', 'e8']);
  });
});

describe('PriorityScheduler status views', () => {
  it('ordered() is the pop order and does not change the queue', () => {
    const s = new PriorityScheduler<null>({ agingIntervalMs: 10 });
    const priorities: SessionPriority[] = ['low', 'high', 'medium', 'critical', 'low', 'high', 'medium'];
    priorities.forEach((p, i) => s.push(`x${i}`, p, null, i * 7));
    const ordered = ids(s.ordered());
    assert.equal(s.size, priorities.length);
    assert.deepEqual(ids(s.ordered()), ordered);
    assert.deepEqual(drain(s), ordered);
  });

  it('position() matches the index in ordered(), and is -1 for an unknown id', () => {
    const s = new PriorityScheduler<null>({ agingIntervalMs: 5 });
    const priorities: SessionPriority[] = ['medium', 'low', 'critical', 'high', 'low', 'critical', 'medium', 'high', 'low'];
    priorities.forEach((p, i) => s.push(`p${i}`, p, null, i * 3));
    s.remove('p3');
    const ordered = s.ordered();
    ordered.forEach((entry, i) => assert.equal(s.position(entry.id), i, entry.id));
    assert.equal(s.position('p3'), -1);
    assert.equal(s.position('missing'), -1);
    assert.equal(s.position(s.peek()!.id), 0);
  });

  it('clear() empties the queue and returns the entries in run order', () => {
    const s = new PriorityScheduler<null>();
    s.push('a', 'low', null, 0);
    s.push('b', 'critical', null, 0);
    s.push('c', 'medium', null, 0);
    assert.deepEqual(ids(s.clear()), ['b', 'c', 'a']);
    assert.equal(s.size, 0);
    assert.equal(s.has('a'), false);
    assert.equal(s.pop(), undefined);
    assert.deepEqual(s.clear(), []);
    assert.deepEqual(s.ordered(), []);
    s.push('a', 'high', null, 1);
    assert.equal(s.size, 1);
  });

  it('seq keeps increasing across pops and clear()', () => {
    const s = new PriorityScheduler<null>();
    const first = s.push('a', 'low', null, 0);
    s.pop();
    const second = s.push('a', 'low', null, 0);
    s.clear();
    const third = s.push('a', 'low', null, 0);
    assert.ok(first.seq < second.seq && second.seq < third.seq);
  });
});

describe('PriorityScheduler validation and options', () => {
  it('throws when an id is already queued, and leaves the queue as it was', () => {
    const s = new PriorityScheduler<string>();
    s.push('dup', 'low', 'first', 0);
    assert.throws(() => s.push('dup', 'critical', 'second', 1), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'ERR_INVALID_OPTION');
      assert.equal(error.field, 'id');
      assert.match(error.message, /already queued/);
      return true;
    });
    assert.equal(s.size, 1);
    assert.equal(s.pop()?.item, 'first');
  });

  it('honours custom weights', () => {
    const weights = { critical: 10, high: 1, medium: 5, low: 20 } as const;
    const s = new PriorityScheduler<null>({ weights, agingIntervalMs: 0 });
    s.push('c', 'critical', null, 0);
    s.push('h', 'high', null, 0);
    s.push('m', 'medium', null, 0);
    s.push('l', 'low', null, 0);
    assert.deepEqual(drain(s), ['l', 'c', 'm', 'h']);
  });

  it('custom weights set how far aging must go: equal weights make it plain FIFO', () => {
    const weights = { critical: 1, high: 1, medium: 1, low: 1 };
    const s = new PriorityScheduler<null>({ weights, agingIntervalMs: 1_000 });
    s.push('c', 'critical', null, 3);
    s.push('l', 'low', null, 1);
    s.push('h', 'high', null, 2);
    assert.deepEqual(drain(s), ['l', 'h', 'c']);
  });

  it('fractional weights age as documented', () => {
    const s = new PriorityScheduler<null>({ weights: { critical: 1.5, high: 1.25, medium: 1, low: 0.5 }, agingIntervalMs: 100 });
    s.push('low', 'low', null, 0); // 0.5 - 0 = 0.5
    s.push('critical', 'critical', null, 101); // 1.5 - 1.01 = 0.49
    s.push('medium', 'medium', null, 49); // 1 - 0.49 = 0.51
    assert.deepEqual(drain(s), ['medium', 'low', 'critical']);
  });

  it('does not keep a reference to the weights object it was given', () => {
    const weights = { ...DEFAULT_PRIORITY_WEIGHTS };
    const s = new PriorityScheduler<null>({ weights, agingIntervalMs: 0 });
    weights.low = 100;
    s.push('l', 'low', null, 0);
    s.push('c', 'critical', null, 0);
    assert.equal(s.pop()?.id, 'c');
  });

  it('DEFAULT_PRIORITY_WEIGHTS is 4/3/2/1 and frozen', () => {
    assert.deepEqual({ ...DEFAULT_PRIORITY_WEIGHTS }, { critical: 4, high: 3, medium: 2, low: 1 });
    assert.ok(Object.isFrozen(DEFAULT_PRIORITY_WEIGHTS));
  });

  it('rejects invalid options', () => {
    const bad: unknown[] = [
      { agingIntervalMs: -1 },
      { agingIntervalMs: Number.NaN },
      { agingIntervalMs: Number.POSITIVE_INFINITY },
      { weights: { critical: 4, high: 3, medium: 2 } },
      { weights: { critical: 4, high: Number.NaN, medium: 2, low: 1 } },
      { weights: { critical: '4', high: 3, medium: 2, low: 1 } },
    ];
    for (const options of bad) {
      assert.throws(
        () => new PriorityScheduler(options as ConstructorParameters<typeof PriorityScheduler>[0]),
        ConfigError,
        JSON.stringify(options),
      );
    }
  });

  it('rejects an unknown priority and a non-finite time from untyped callers', () => {
    const s = new PriorityScheduler<null>();
    assert.throws(() => s.push('a', 'urgent' as SessionPriority, null, 0), /priority/);
    assert.throws(() => s.push('b', 'toString' as SessionPriority, null, 0), /priority/);
    assert.throws(() => s.push('c', 'low', null, Number.NaN), /enqueuedAtMs/);
    assert.equal(s.size, 0);
  });
});
