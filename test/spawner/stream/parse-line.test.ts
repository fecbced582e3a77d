import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLine } from '../../../src/spawner/stream/parse-line.js';

void describe('parseLine', () => {
  const rejected = [
    '',
    'not json',
    'Error: something broke',
    '{"type":"result"',
    '{not json}',
    '[{"type":"result"}]',
    '"type"',
    '42',
    'null',
    '{}',
    '{"type":5}',
    '{"type":null}',
    '{"type":{"name":"result"}}',
    '{"subtype":"init"}',
  ];
  for (const line of rejected) {
    void it(`returns undefined for ${JSON.stringify(line)}`, () => assert.equal(parseLine(line), undefined));
  }

  void it('returns the object of a JSON line with a string type', () => {
    const message = { type: 'system', subtype: 'init', session_id: 'abc', tools: ['Bash'], nested: { a: [1, null] } };
    assert.deepEqual(parseLine(JSON.stringify(message)), message);
    assert.deepEqual(parseLine('{"type":""}'), { type: '' });
    assert.deepEqual(parseLine('{"type":"x"}   '), { type: 'x' });
  });

  void it('keeps unicode and escapes', () => {
    assert.deepEqual(parseLine('{"type":"assistant","text":"é😀\\n\\u2028"}'), { type: 'assistant', text: 'é😀\n\u2028' });
  });
});
