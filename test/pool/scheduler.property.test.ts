import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_PRIORITY_WEIGHTS, PRIORITIES } from '../../src/session/priority.js';
import type { SessionPriority } from '../../src/session/types.js';
import { PriorityScheduler, type QueuedEntry, type SchedulerOptions } from '../../src/pool/scheduler.js';



type Op =
  | { readonly kind: 'push'; readonly priority: SessionPriority; readonly dt: number }
  | { readonly kind: 'pop' }
  /** Removes a queued id, any id pushed so far (maybe already gone), or one never pushed; `pick` chooses which. */
  | { readonly kind: 'remove'; readonly target: 'queued' | 'any' | 'unknown'; readonly pick: number };

const priorityArb = fc.constantFrom(...PRIORITIES);

/** Clock steps: often 0 (same millisecond), otherwise small or large jumps. */
const dtArb = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 200_000 }));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('push' as const), priority: priorityArb, dt: dtArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pop' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('remove' as const),
      target: fc.constantFrom('queued' as const, 'queued' as const, 'any' as const, 'unknown' as const),
      pick: fc.nat({ max: 1_000 }),
    }),
  },
);

/** `size: 'large'` so that sequences really reach a few hundred operations (the default stays near 10). */
const opsArb = fc.array(opArb, { maxLength: 300, size: 'large' });

/** The id a remove operation names, given the ids queued now and every id pushed so far. */
function removeTarget(op: Extract<Op, { kind: 'remove' }>, queued: readonly string[], pushed: readonly string[]): string {
  const from = op.target === 'queued' ? queued : op.target === 'any' ? pushed : [];
  return from.length === 0 ? `unknown${op.pick}` : (from[op.pick % from.length] as string);
}

const intervalArb = fc.oneof(
  fc.constant(0),
  fc.constantFrom(1, 3, 7, 1_000, 60_000),
  fc.integer({ min: 1, max: 100_000 }),
);

const weightsArb: fc.Arbitrary<Record<SessionPriority, number>> = fc.oneof(
  fc.constant({ ...DEFAULT_PRIORITY_WEIGHTS }),
  fc.record({
    critical: fc.integer({ min: -5, max: 10 }),
    high: fc.integer({ min: -5, max: 10 }),
    medium: fc.integer({ min: -5, max: 10 }),
    low: fc.integer({ min: -5, max: 10 }),
  }),
);

/** Start of the clock: from 0 up to beyond today's epoch milliseconds. */
const startArb = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2_000_000_000_000 }));

interface ModelEntry {
  readonly id: string;
  readonly priority: SessionPriority;
  readonly enqueuedAtMs: number;
  readonly order: number;
}

/**
 * The naive reference: keep everything in an array, sort on every question.
 * Key = weight - enqueuedAtMs / agingIntervalMs, compared exactly as (weight * interval - enqueuedAtMs) in BigInt
 * (multiplying by interval > 0 keeps the order); then enqueuedAtMs ascending, then insertion order ascending.
 */
class ReferenceModel {
  readonly entries: ModelEntry[] = [];
  private counter = 0;

  constructor(
    private readonly weights: Readonly<Record<SessionPriority, number>>,
    private readonly interval: number,
  ) {}

  push(id: string, priority: SessionPriority, enqueuedAtMs: number): void {
    this.entries.push({ id, priority, enqueuedAtMs, order: this.counter++ });
  }

  private key(e: ModelEntry): bigint {
    const w = BigInt(this.weights[e.priority]);
    return this.interval === 0 ? w : w * BigInt(this.interval) - BigInt(e.enqueuedAtMs);
  }

  sorted(): ModelEntry[] {
    return [...this.entries].sort((a, b) => {
      const ka = this.key(a);
      const kb = this.key(b);
      if (ka !== kb) return ka > kb ? -1 : 1;
      if (a.enqueuedAtMs !== b.enqueuedAtMs) return a.enqueuedAtMs - b.enqueuedAtMs;
      return a.order - b.order;
    });
  }

  pop(): ModelEntry | undefined {
    const first = this.sorted()[0];
    if (first !== undefined) this.remove(first.id);
    return first;
  }

  remove(id: string): ModelEntry | undefined {
    const i = this.entries.findIndex((e) => e.id === id);
    return i === -1 ? undefined : this.entries.splice(i, 1)[0];
  }
}

interface RunResult {
  /** Every id pushed, in push order. */
  pushed: string[];
  /** Ids that came out, by pop or remove, including the final drain. */
  out: string[];
}

/**
 * Plays `ops` against the scheduler and the reference side by side, checking after every step;
 * `onPop` sees each pop with the entries queued just before it. Ends by draining both.
 */
function run(
  options: { weights: Readonly<Record<SessionPriority, number>>; agingIntervalMs: number },
  start: number,
  ops: readonly Op[],
  onPop?: (popped: QueuedEntry<null>, queuedBefore: readonly ModelEntry[]) => void,
): RunResult {
  const s = new PriorityScheduler<null>(options satisfies SchedulerOptions);
  const model = new ReferenceModel(options.weights, options.agingIntervalMs);
  const pushed: string[] = [];
  const out: string[] = [];
  let clock = start;
  let pushes = 0;
  let pops = 0;
  let removes = 0;
  let lastSeq = -Infinity;

  const popBoth = (): QueuedEntry<null> | undefined => {
    const before = [...model.entries];
    const peeked = s.peek();
    const got = s.pop();
    const want = model.pop();
    assert.equal(peeked, got, 'peek() shows what pop() returns');
    assert.equal(got?.id, want?.id, 'pop order equals the reference');
    if (got !== undefined) {
      pops++;
      out.push(got.id);
      onPop?.(got, before);
    }
    return got;
  };

  for (const op of ops) {
    if (op.kind === 'push') {
      clock += op.dt;
      const id = `id${pushed.length}`;
      const entry = s.push(id, op.priority, null, clock);
      model.push(id, op.priority, clock);
      assert.ok(entry.seq > lastSeq, 'seq increases');
      lastSeq = entry.seq;
      assert.deepEqual(
        { id: entry.id, priority: entry.priority, enqueuedAtMs: entry.enqueuedAtMs },
        { id, priority: op.priority, enqueuedAtMs: clock },
      );
      pushed.push(id);
      pushes++;
    } else if (op.kind === 'pop') {
      popBoth();
    } else {
      const id = removeTarget(
        op,
        model.entries.map((e) => e.id),
        pushed,
      );
      const got = s.remove(id);
      const want = model.remove(id);
      assert.equal(got?.id, want?.id, `remove(${id}) agrees with the reference`);
      if (got !== undefined) {
        removes++;
        out.push(got.id);
      }
      assert.equal(s.has(id), false);
    }
    assert.equal(s.size, pushes - pops - removes, 'size = pushes - pops - successful removes');
    assert.equal(s.size, model.entries.length);
  }

  // The status views agree with the reference at the end of the sequence.
  const expected = model.sorted().map((e) => e.id);
  assert.deepEqual(
    s.ordered().map((e) => e.id),
    expected,
    'ordered() equals the reference order',
  );
  expected.forEach((id, i) => assert.equal(s.position(id), i, `position(${id})`));

  while (popBoth() !== undefined) {
    assert.equal(s.size, pushes - pops - removes);
  }
  assert.equal(s.size, 0);
  assert.equal(model.entries.length, 0);
  return { pushed, out };
}

const optionsArb = fc.record({ weights: weightsArb, agingIntervalMs: intervalArb });

describe('PriorityScheduler properties', () => {
  it('pop order equals a naive sorted reference, for any sequence of push/pop/remove', () => {
    fc.assert(
      fc.property(optionsArb, startArb, opsArb, (options, start, ops) => {
        run(options, start, ops);
      }),
      { numRuns: 500 },
    );
  });

  it('size is always pushes - pops - successful removes', () => {
    // Counted here on its own, without the reference model (run() checks the same after each step).
    fc.assert(
      fc.property(optionsArb, startArb, opsArb, (options, start, ops) => {
        const s = new PriorityScheduler<null>(options);
        const pushed: string[] = [];
        let clock = start;
        let pushes = 0;
        let pops = 0;
        let removes = 0;
        for (const op of ops) {
          if (op.kind === 'push') {
            clock += op.dt;
            pushed.push(s.push(`id${pushes}`, op.priority, null, clock).id);
            pushes++;
          } else if (op.kind === 'pop') {
            if (s.pop() !== undefined) pops++;
          } else {
            const queued = pushed.filter((id) => s.has(id));
            if (s.remove(removeTarget(op, queued, pushed)) !== undefined) removes++;
          }
          assert.equal(s.size, pushes - pops - removes);
          assert.ok(s.size >= 0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('every pushed id comes out exactly once, by pop or by remove, once drained', () => {
    fc.assert(
      fc.property(optionsArb, startArb, opsArb, (options, start, ops) => {
        const { pushed, out } = run(options, start, ops);
        assert.equal(out.length, pushed.length);
        assert.equal(new Set(out).size, out.length, 'no id comes out twice');
        assert.deepEqual([...out].sort(), [...pushed].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('with aging disabled, no entry is popped while one of higher priority is queued', () => {
    fc.assert(
      fc.property(weightsArb, startArb, opsArb, (weights, start, ops) => {
        run({ weights, agingIntervalMs: 0 }, start, ops, (popped, queuedBefore) => {
          const top = Math.max(...queuedBefore.map((e) => weights[e.priority]));
          assert.equal(weights[popped.priority], top, `popped ${popped.priority} while a weight-${top} entry waited`);
          // FIFO within the top weight.
          const firstAtTop = queuedBefore.find((e) => weights[e.priority] === top);
          assert.equal(popped.id, firstAtTop?.id);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('the order is that of the documented key weight - enqueuedAtMs / agingIntervalMs (exact for power-of-two intervals)', () => {
    // With a power-of-two interval and small integer times the division is exact in floating point,
    // so the literal formula can serve as the reference.
    const entriesArb = fc.array(fc.record({ priority: priorityArb, dt: fc.integer({ min: 0, max: 40 }) }), {
      maxLength: 60,
      size: 'large',
    });
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 8, 16, 32), entriesArb, (interval, entries) => {
        const s = new PriorityScheduler<number>({ agingIntervalMs: interval });
        let clock = 0;
        const literal = entries.map(({ priority, dt }, i) => {
          clock += dt;
          s.push(`e${i}`, priority, i, clock);
          return { id: `e${i}`, key: DEFAULT_PRIORITY_WEIGHTS[priority] - clock / interval, t: clock, i };
        });
        literal.sort((a, b) => b.key - a.key || a.t - b.t || a.i - b.i);
        assert.deepEqual(
          s.ordered().map((e) => e.id),
          literal.map((e) => e.id),
        );
      }),
      { numRuns: 300 },
    );
  });
});
