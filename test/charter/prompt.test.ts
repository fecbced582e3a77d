import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPrompt, userMessageLine } from '../../src/charter/prompt.js';
import { makeConfig } from '../helpers/fixtures.js';

void describe('buildPrompt', () => {
  void it('starts with the task id and priority, then the trimmed description', () => {
    const config = makeConfig('/tmp/work', {
      taskContext: { taskId: 'PROJ-7', description: '\n  Fix the login bug\nin auth.ts  \n', priority: 'critical' },
    });
    const prompt = buildPrompt(config);
    assert.ok(prompt.startsWith('Task PROJ-7 (priority critical):\nFix the login bug\nin auth.ts\n'), prompt);
    assert.match(prompt, /within the session charter/);
  });

  void it('lists related tasks', () => {
    const config = makeConfig('/tmp/work', {
      taskContext: { taskId: 'T', description: 'd', priority: 'low', relatedTasks: ['PROJ-1', 'PROJ-2'] },
    });
    assert.ok(buildPrompt(config).split('\n').includes('Related tasks: PROJ-1, PROJ-2'));
  });

  void it('includes the conversation history in order, with roles', () => {
    const config = makeConfig('/tmp/work');
    config.memory.conversationHistory = [
      { role: 'user', content: 'What is failing?' },
      { role: 'assistant', content: 'The parser test.' },
      { role: 'user', content: 'Fix it.' },
    ];
    const lines = buildPrompt(config).split('\n');
    const start = lines.indexOf('Previous conversation:');
    assert.notEqual(start, -1);
    assert.deepEqual(lines.slice(start + 1, start + 4), ['user: What is failing?', 'assistant: The parser test.', 'user: Fix it.']);
  });

  void it('leaves out empty related tasks and history', () => {
    const config = makeConfig('/tmp/work', { taskContext: { taskId: 'T', description: 'd', priority: 'low', relatedTasks: [] } });
    const prompt = buildPrompt(config);
    assert.doesNotMatch(prompt, /Related tasks/);
    assert.doesNotMatch(prompt, /Previous conversation/);
    assert.equal(prompt, buildPrompt(config), 'deterministic');
  });
});

void describe('userMessageLine', () => {
  const texts = ['hello', 'two\nlines\r\nand "quotes" and \\ backslash', 'unicode: é → 😀 \u2028 end', ''];
  for (const text of texts) {
    void it(`is one stream-json user message line for ${JSON.stringify(text)}`, () => {
      const line = userMessageLine(text);
      assert.ok(line.endsWith('\n'));
      assert.equal(line.indexOf('\n'), line.length - 1, 'exactly one newline, at the end');
      const message: unknown = JSON.parse(line);
      assert.deepEqual(message, {
        type: 'user',
        session_id: '',
        message: { role: 'user', content: [{ type: 'text', text }] },
        parent_tool_use_id: null,
      });
    });
  }
});
