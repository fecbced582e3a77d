import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContentDeltaFilter } from '../../../src/spawner/stream/content-delta-filter.js';

const line = (value: unknown): string => `${JSON.stringify(value)}\n`;
const delta = (text: string): string =>
  line({ type: 'stream_event', event: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }, session_id: 's' });
const other = [
  line({ type: 'system', subtype: 'init', session_id: 's' }),
  line({ type: 'stream_event', event: { type: 'message_start', message: { id: 'm', usage: { input_tokens: 5 } } } }),
  line({ type: 'stream_event', event: { type: 'content_block_start', index: 0 } }),
  line({ type: 'assistant', message: { id: 'm', content: [{ type: 'text', text: 'The token is tok-123456-secret' }] } }),
  line({ type: 'stream_event', event: { type: 'message_delta', usage: { output_tokens: 9 } } }),
  '\n',
  'not json, still shown\n',
  line({ type: 'stream_event', event: { type: 'content_block_stop', index: 0 } }),
];
const stream = [other[0], other[1], other[2], delta('The token is tok-1'), delta('23456-secret'), other[3], other[4], other[5], other[6], other[7], 'tail without newline'].join('');
const expected = [...other, 'tail without newline'].join('');

// Feeds `text` cut at the given byte offsets.
function run(text: string, cuts: number[]): string {
  const bytes = Buffer.from(text);
  const filter = new ContentDeltaFilter();
  const out: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(filter.push(bytes.subarray(start, cut)));
    start = cut;
  }
  return Buffer.concat(out).toString('utf8');
}

void describe('ContentDeltaFilter', () => {
  void it('drops content_block_delta lines and keeps every other byte', () => {
    assert.equal(run(stream, []), expected);
  });

  void it('gives the same output wherever the chunks are cut', () => {
    const length = Buffer.byteLength(stream);
    for (let cut = 0; cut <= length; cut += 1) assert.equal(run(stream, [cut]), expected, `cut at ${cut}`);
    // One byte at a time.
    assert.equal(run(stream, Array.from({ length }, (_, i) => i)), expected);
  });

  void it('passes a chunk without deltas on as it is', () => {
    const chunk = Buffer.from(other.join(''));
    assert.equal(new ContentDeltaFilter().push(chunk), chunk);
  });

  void it('leaves no piece of a secret streamed in deltas', () => {
    assert.equal(run(stream, [7, 90, 200]).includes('tok-1\n') || run(stream, []).includes('"text":"23456-secret"'), false);
  });
});
