import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter, MAX_LINE_CHARS } from '../../../src/spawner/stream/line-splitter.js';
import { parseLine } from '../../../src/spawner/stream/parse-line.js';

/** A splitter with recorders for lines and oversized reports. */
function rig(maxLineChars?: number) {
  const splitter = new LineSplitter(maxLineChars);
  const lines: string[] = [];
  let oversized = 0;
  return {
    splitter,
    lines,
    get oversized() {
      return oversized;
    },
    push(chunk: string | Buffer) {
      splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, (l) => lines.push(l), () => (oversized += 1));
    },
  };
}

void describe('LineSplitter', () => {
  void it('splits lines within one chunk and skips empty lines', () => {
    const r = rig();
    r.push('a\n\nbb\n\n\nccc\n');
    assert.deepEqual(r.lines, ['a', 'bb', 'ccc']);
    assert.equal(r.splitter.end(), undefined);
  });

  void it('joins a line split across chunks', () => {
    const r = rig();
    r.push('{"type":"ass');
    r.push('istant","n":');
    assert.deepEqual(r.lines, []);
    r.push('1}\n{"type":"result"}\n{"ty');
    assert.deepEqual(r.lines, ['{"type":"assistant","n":1}', '{"type":"result"}']);
    r.push('pe":"x"}\n');
    assert.deepEqual(r.lines.at(-1), '{"type":"x"}');
  });

  void it('delivers the same lines however the bytes are cut', () => {
    const text = 'héllo wörld → 😀 日本語\n{"text":"€uro"}\nlast 🎉\n';
    const bytes = Buffer.from(text);
    const expected = ['héllo wörld → 😀 日本語', '{"text":"€uro"}', 'last 🎉'];
    // Every single cut point, including the middle of every multi-byte character.
    for (let cut = 1; cut < bytes.length; cut++) {
      const r = rig();
      r.push(bytes.subarray(0, cut));
      r.push(bytes.subarray(cut));
      assert.deepEqual(r.lines, expected, `cut at byte ${cut}`);
    }
    // One byte at a time.
    const r = rig();
    for (const byte of bytes) r.push(Buffer.from([byte]));
    assert.deepEqual(r.lines, expected);
    assert.ok(!r.lines.some((l) => l.includes('\uFFFD')), 'no replacement characters');
  });

  void it('end() returns the unterminated tail once', () => {
    const r = rig();
    r.push('one\ntwo');
    assert.deepEqual(r.lines, ['one']);
    assert.equal(r.splitter.end(), 'two');
    assert.equal(r.splitter.end(), undefined);
  });

  void it('end() completes a tail whose last character was cut', () => {
    const r = rig();
    const bytes = Buffer.from('tail €');
    r.push(bytes.subarray(0, bytes.length - 1));
    r.push(bytes.subarray(bytes.length - 1));
    assert.equal(r.splitter.end(), 'tail €');
  });

  void it('drops a line longer than the limit that arrives in pieces, once, and delivers the next line intact', () => {
    const r = rig(100);
    r.push('{"type":"before"}\n');
    r.push('x'.repeat(60));
    r.push('x'.repeat(60));
    assert.equal(r.oversized, 1);
    r.push('x'.repeat(60));
    r.push('x'.repeat(60) + '\n{"type":"after"}\n');
    assert.equal(r.oversized, 1, 'reported once per line');
    assert.deepEqual(r.lines, ['{"type":"before"}', '{"type":"after"}']);
  });

  void it('drops a line longer than the limit that arrives in one chunk', () => {
    const r = rig(100);
    r.push(`ok1\n${'y'.repeat(150)}\nok2\n`);
    assert.deepEqual(r.lines, ['ok1', 'ok2']);
    assert.equal(r.oversized, 1);
  });

  void it('drops a line that passes the limit only when its newline arrives', () => {
    const r = rig(100);
    r.push('z'.repeat(90));
    assert.equal(r.oversized, 0);
    r.push(`${'z'.repeat(20)}\nnext\n`);
    assert.deepEqual(r.lines, ['next']);
    assert.equal(r.oversized, 1);
  });

  void it('keeps a line of exactly the limit', () => {
    const r = rig(100);
    r.push('a'.repeat(50));
    r.push(`${'a'.repeat(50)}\n${'b'.repeat(100)}\n`);
    assert.deepEqual(r.lines, ['a'.repeat(100), 'b'.repeat(100)]);
    assert.equal(r.oversized, 0);
  });

  void it('reports each oversized line', () => {
    const r = rig(10);
    r.push(`${'1'.repeat(20)}\nshort\n${'2'.repeat(20)}`);
    r.push(`\n${'3'.repeat(20)}\nend\n`);
    assert.equal(r.oversized, 3);
    assert.deepEqual(r.lines, ['short', 'end']);
  });

  void it('stays bounded on a stream without newlines and recovers after one', () => {
    const r = rig(100);
    for (let i = 0; i < 10_000; i++) r.push('w'.repeat(50));
    assert.equal(r.oversized, 1);
    assert.equal(r.splitter.end(), undefined, 'the dropped line is not returned as a tail');
    const r2 = rig(100);
    for (let i = 0; i < 10_000; i++) r2.push('w'.repeat(50));
    r2.push('w\n{"type":"result","subtype":"success"}\n');
    assert.equal(r2.oversized, 1);
    assert.equal(r2.lines.length, 1);
    assert.deepEqual(parseLine(r2.lines[0] ?? ''), { type: 'result', subtype: 'success' });
  });

  void it('has a large default limit', () => {
    assert.equal(MAX_LINE_CHARS, 16 * 1024 * 1024);
    const r = rig();
    const long = 'q'.repeat(1_000_000);
    r.push(`${long}\n`);
    assert.equal(r.lines[0], long);
    assert.equal(r.oversized, 0);
  });
});
