import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { backoffDelayMs, strategyDelayMs, type BackoffOptions } from '../../src/recovery/backoff.js';

const SPEC: BackoffOptions = { retryDelayMs: 5000, backoffMultiplier: 2, maxDelayMs: 300_000, jitter: 0 };

void describe('backoffDelayMs', () => {
  void it('doubles from the base delay without jitter', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelayMs(n, SPEC)), [5000, 10_000, 20_000, 40_000]);
  });

  void it('never exceeds maxDelayMs', () => {
    const options = { ...SPEC, maxDelayMs: 15_000 };
    assert.deepEqual([1, 2, 3, 10, 2000].map((n) => backoffDelayMs(n, options)), [5000, 10_000, 15_000, 15_000, 15_000]);
  });

  void it('spreads by ±jitter, with the extremes at random() 0 and 1', () => {
    const options = { ...SPEC, jitter: 0.2 };
    assert.equal(backoffDelayMs(2, options, () => 0), 8000);
    assert.equal(backoffDelayMs(2, options, () => 0.5), 10_000);
    assert.equal(backoffDelayMs(2, options, () => 1), 12_000);
  });

  void it('clamps the jittered delay to maxDelayMs', () => {
    const options = { ...SPEC, maxDelayMs: 20_000, jitter: 0.5 };
    assert.equal(backoffDelayMs(3, options, () => 1), 20_000);
    assert.equal(backoffDelayMs(3, options, () => 0), 10_000);
    assert.equal(backoffDelayMs(1, { ...SPEC, jitter: 1 }, () => 0), 0);
  });

  void it('stays 0 for a zero base delay even where the multiplier overflows', () => {
    assert.equal(backoffDelayMs(5000, { ...SPEC, retryDelayMs: 0, backoffMultiplier: 10 }), 0);
  });

  void it('throws RangeError for attempts below 1 or not integers', () => {
    for (const attempt of [0, -1, 1.5, Number.NaN]) assert.throws(() => backoffDelayMs(attempt, SPEC), RangeError, String(attempt));
  });

  void it('throws RangeError for options out of range', () => {
    for (const bad of [{ retryDelayMs: -1 }, { backoffMultiplier: 0.5 }, { maxDelayMs: Number.NaN }, { jitter: 1.5 }, { jitter: -0.1 }]) {
      assert.throws(() => backoffDelayMs(1, { ...SPEC, ...bad }), RangeError, JSON.stringify(bad));
    }
  });

  void it('is monotone and bounded without jitter (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 3_600_000 }),
        (attempt, retryDelayMs, backoffMultiplier, maxDelayMs) => {
          const options = { retryDelayMs, backoffMultiplier, maxDelayMs, jitter: 0 };
          const a = backoffDelayMs(attempt, options);
          const b = backoffDelayMs(attempt + 1, options);
          return b >= a && a >= 0 && b <= maxDelayMs && Number.isInteger(a);
        },
      ),
    );
  });

  void it('stays within [0, maxDelayMs] with any jitter (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, jitter, r) => {
          const delay = backoffDelayMs(attempt, { ...SPEC, jitter }, () => r);
          return delay >= 0 && delay <= SPEC.maxDelayMs;
        },
      ),
    );
  });
});

void describe('strategyDelayMs', () => {
  void it('immediate → 0, delayed → backoff, manual → undefined', () => {
    assert.equal(strategyDelayMs('immediate', 3, SPEC), 0);
    assert.equal(strategyDelayMs('delayed', 3, SPEC), 20_000);
    assert.equal(strategyDelayMs('delayed', 2, { ...SPEC, jitter: 0.1 }, () => 1), 11_000);
    assert.equal(strategyDelayMs('manual', 3, SPEC), undefined);
  });

  void it('rejects a bad attempt or an unknown strategy', () => {
    assert.throws(() => strategyDelayMs('immediate', 0, SPEC), RangeError);
    assert.throws(() => strategyDelayMs('later' as 'manual', 1, SPEC), RangeError);
  });
});
