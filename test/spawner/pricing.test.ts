import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalModel, estimateCostUsd, knownPrice, priceFor, UNKNOWN_MODEL_PRICE } from '../../src/spawner/pricing.js';

const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

void describe('pricing', () => {
  void it('reduces model names to their family', () => {
    const cases: [string, string][] = [
      ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
      ['claude-opus-4-8[1m]', 'claude-opus-4-8'],
      ['us.anthropic.claude-opus-4-1-20250805-v1:0', 'claude-opus-4-1'],
      ['claude-haiku-4-5@20251001', 'claude-haiku-4-5'],
      ['Claude-Opus-4-6', 'claude-opus-4-6'],
      ['claude-opus-4-20250514', 'claude-opus-4'],
    ];
    for (const [name, canonical] of cases) assert.equal(canonicalModel(name), canonical, name);
  });

  void it('knows the prices the CLI charges', () => {
    assert.deepEqual(
      [knownPrice('claude-sonnet-4-5-20250929'), knownPrice('claude-opus-4-8[1m]'), knownPrice('claude-opus-4-1'), knownPrice('claude-haiku-4-5')].map(
        (p) => [p?.input, p?.output],
      ),
      [[3, 15], [5, 25], [15, 75], [1, 5]],
    );
    assert.equal(knownPrice('claude-opus-4-6', 'fast')?.output, 150);
    assert.equal(knownPrice('claude-sonnet-4-5', 'fast')?.output, 15, 'no fast price: the standard one');
  });

  void it('prices an unknown model at the most expensive known price, so the estimate errs towards stopping', () => {
    for (const model of ['claude-offline-1', 'gpt-x', '', undefined]) {
      assert.equal(knownPrice(model), undefined);
      assert.equal(priceFor(model), UNKNOWN_MODEL_PRICE);
    }
    for (const model of ['claude-3-5-haiku', 'claude-sonnet-4-6', 'claude-opus-4-8', 'claude-fable-5', 'claude-opus-4-0']) {
      const p = knownPrice(model);
      assert.ok(p !== undefined && p.input <= UNKNOWN_MODEL_PRICE.input && p.output <= UNKNOWN_MODEL_PRICE.output, model);
    }
  });

  void it('estimates a call: input, output, cache writes (5 minutes and 1 hour) and cache reads', () => {
    close(estimateCostUsd({ input: 5000, output: 5000, cacheCreation: 0, cacheRead: 0 }, 'claude-opus-4-8'), 0.15);
    // What the CLI reported for 15,000/15,000 tokens with 9 cache writes and 21 cache reads on claude-opus-4-8[1m].
    close(estimateCostUsd({ input: 15_000, output: 15_000, cacheCreation: 9, cacheRead: 21 }, 'claude-opus-4-8[1m]'), 0.45006675);
    close(estimateCostUsd({ input: 0, output: 0, cacheCreation: 1_000_000, cacheCreation1h: 400_000, cacheRead: 1_000_000 }, 'claude-sonnet-4-5'), 0.6 * 3.75 + 0.4 * 6 + 0.3);
  });
});
