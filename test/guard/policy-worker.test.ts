import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideToolCall, inputChars, INLINE_MAX_CHARS, sessionPolicy } from '../../src/guard/policy-worker.js';
import { makeConfig } from '../helpers/fixtures.js';

function policy() {
  const config = makeConfig('/tmp/work');
  config.charter.constraints.forbiddenCommands = ['rm -rf'];
  config.charter.constraints.forbiddenPatterns = [/deploy.*production/i];
  config.charter.constraints.requiredApprovals = ['deploy'];
  config.charter.resources.allowedTools = ['read', 'write', 'bash', 'mcp__fs'];
  return sessionPolicy(config.charter);
}

void describe('decideToolCall', () => {
  const p = policy();

  void it('decides small calls inline and large ones in the worker, with the same verdicts', async () => {
    const calls: [string, Record<string, unknown>][] = [
      ['Bash', { command: 'rm -rf /tmp/x' }],
      ['Bash', { command: 'ls -la' }],
      ['Bash', { command: './deploy.sh staging' }],
      ['Write', { file_path: '/w/a.md', content: 'deploy to production' }],
      ['mcp__fs__write', { path: 'a', text: 'deploy to production' }],
      ['mcp__web__fetch', { url: 'x' }],
    ];
    for (const [tool, input] of calls) {
      const inline = await decideToolCall(tool, input, p);
      const worker = await decideToolCall(tool, input, p, { forceWorker: true });
      assert.deepEqual(worker, inline, `${tool} ${JSON.stringify(input)}`);
    }
    assert.equal((await decideToolCall('Bash', { command: './deploy.sh staging' }, p)).approval, 'deploy');
  });

  void it('decides a 1 MB command, Write and MCP input in the worker', async () => {
    const filler = 'lorem ipsum dolor sit amet\n'.repeat(40_000);
    const command = await decideToolCall('Bash', { command: `cat > notes.md <<'EOF'\n${filler}EOF\necho deploy production` }, p);
    assert.equal(command.verdict.allowed, false);
    if (!command.verdict.allowed) assert.equal(command.verdict.rule, '/deploy.*production/i');
    assert.deepEqual(await decideToolCall('Write', { file_path: '/w/big.md', content: filler }, p), { verdict: { allowed: true } });
    const mcp = await decideToolCall('mcp__fs__write', { path: 'big.md', text: `${filler}deploy it to production` }, p);
    assert.equal(mcp.verdict.allowed, false);
  });

  void it('denies a check that takes longer than its deadline, and recovers for the next call', async () => {
    const slow = await decideToolCall('Bash', { command: 'a{b,c} '.repeat(150_000) }, p, { deadlineMs: 1 });
    assert.equal(slow.verdict.allowed, false);
    if (!slow.verdict.allowed) {
      assert.equal(slow.verdict.rule, 'policy deadline');
      assert.match(slow.verdict.reason, /could not be checked within 1 ms/);
    }
    assert.deepEqual(await decideToolCall('Bash', { command: 'ls' }, p, { forceWorker: true }), { verdict: { allowed: true } });
  });

  void it('answers calls sent together, each with its own verdict', async () => {
    const commands = ['ls', 'rm -rf x', 'echo deploy production', 'git status'];
    const decisions = await Promise.all(commands.map((command) => decideToolCall('Bash', { command }, p, { forceWorker: true })));
    assert.deepEqual(decisions.map((d) => d.verdict.allowed), [true, false, false, true]);
  });
});

void describe('inputChars', () => {
  void it('counts the text of an input, stopping soon past the limit', () => {
    assert.equal(inputChars({ command: 'abc' }, 100), 3 + 'command'.length + 4);
    assert.ok(inputChars({ a: ['x'.repeat(10), { b: 'y'.repeat(10) }] }, 100) >= 20);
    assert.ok(inputChars({ a: 'x'.repeat(INLINE_MAX_CHARS * 4), b: 'y'.repeat(INLINE_MAX_CHARS * 4) }, INLINE_MAX_CHARS) <= INLINE_MAX_CHARS * 5);
  });
});
