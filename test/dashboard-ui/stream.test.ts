import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSeries, countEntries } from '../../dashboard/src/chartData.js';
import {
  appendItems,
  appendTail,
  contentText,
  emptyConversation,
  itemFromBlocked,
  itemsFromMessage,
  outputChunk,
} from '../../dashboard/src/conversation.js';

describe('dashboard conversation', () => {
  it('turns stream-json messages into items and ignores others', () => {
    const assistant = itemsFromMessage({
      type: 'assistant',
      message: {
        content: [
          { type: 'text', text: 'Looking.' },
          { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } },
        ],
      },
    });
    assert.deepEqual(assistant, [
      { kind: 'text', text: 'Looking.' },
      { kind: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } },
    ]);
    const user = itemsFromMessage({
      type: 'user',
      message: {
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
          { type: 'tool_result', tool_use_id: 't2', content: 'denied', is_error: true },
        ],
      },
    });
    assert.deepEqual(user, [
      { kind: 'tool_result', toolUseId: 't1', text: 'a\nb', isError: false },
      { kind: 'tool_result', toolUseId: 't2', text: 'denied', isError: true },
    ]);
    assert.deepEqual(itemsFromMessage({ type: 'result', subtype: 'success', result: 'Done', total_cost_usd: 0.01 }), [
      { kind: 'result', subtype: 'success', text: 'Done', isError: false, costUsd: 0.01 },
    ]);
    assert.deepEqual(itemsFromMessage({ type: 'system', subtype: 'init' }), []);
    assert.deepEqual(itemsFromMessage(null), []);
    assert.deepEqual(itemsFromMessage('text'), []);
    assert.deepEqual(itemsFromMessage({ type: 'assistant' }), []);
    assert.equal(contentText(undefined), '');
  });

  it('marks guard refusals', () => {
    assert.deepEqual(itemFromBlocked({ toolName: 'Bash', input: { command: 'rm -rf /' }, reason: 'denied by rule' }), [
      { kind: 'blocked', toolName: 'Bash', input: { command: 'rm -rf /' }, reason: 'denied by rule' },
    ]);
    assert.deepEqual(itemFromBlocked(undefined), []);
  });

  it('keeps the conversation bounded, with unique keys', () => {
    let conv = emptyConversation();
    for (let i = 0; i < 30; i++) conv = appendItems(conv, [{ kind: 'text', text: `m${i}` }], 10);
    assert.equal(conv.items.length, 10);
    assert.equal(conv.dropped, 20);
    assert.deepEqual(
      conv.items.map((i) => i.key),
      [20, 21, 22, 23, 24, 25, 26, 27, 28, 29],
    );
    assert.equal(appendItems(conv, []), conv);
  });

  it('keeps the output tail bounded', () => {
    let tail = { text: '', truncated: false };
    for (let i = 0; i < 100; i++) tail = appendTail(tail.text, `line ${i}\n`, 100);
    assert.ok(tail.text.length <= 100);
    assert.equal(tail.truncated, true);
    assert.ok(tail.text.endsWith('line 99\n'));
    assert.ok(tail.text.startsWith('line '));
    assert.deepEqual(appendTail('ab', 'cd', 10), { text: 'abcd', truncated: false });
    assert.equal(outputChunk('x\n'), 'x\n');
    assert.equal(outputChunk(undefined), '');
  });
});

describe('dashboard fleet chart series', () => {
  it('sorts by time, converts to seconds, keeps the last point per instant, drops bad points', () => {
    const data = buildSeries([
      { t: 3000, tokens: 30, costUsd: 0.3 },
      { t: 1000, tokens: 10, costUsd: 0.1 },
      { t: 2000, tokens: 20, costUsd: 0.2 },
      { t: 2000, tokens: 25, costUsd: 0.25 },
      { t: 4000, tokens: Number.NaN, costUsd: 1 },
    ]);
    assert.deepEqual(data, [
      [1, 2, 3],
      [10, 25, 30],
      [0.1, 0.25, 0.3],
    ]);
    assert.deepEqual(buildSeries(undefined), [[], [], []]);
  });

  it('orders count records largest first', () => {
    assert.deepEqual(countEntries({ running: 2, completed: 5, failed: 2 }), [
      ['completed', 5],
      ['failed', 2],
      ['running', 2],
    ]);
    assert.deepEqual(countEntries(undefined), []);
  });
});
