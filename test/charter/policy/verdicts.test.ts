import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkToolCall, NESTING_RULE, type PolicyRules } from '../../../src/charter/policy/index.js';

const rules: PolicyRules = {
  forbiddenCommands: ['rm -rf', 'git push --force', 'npm publish', 'curl'],
  forbiddenPatterns: [/deploy.*production/i, /\.env$/],
};

const bash = (command: string, r: PolicyRules = rules) => checkToolCall('Bash', { command }, r);

describe('checkToolCall: file tools', () => {
  const blockedCalls: [tool: string, input: Record<string, unknown>, fragment: string][] = [
    ['Write', { file_path: '/r/a.md', content: 'Next: deploy to production' }, 'the content for /r/a.md'],
    ['Edit', { file_path: '/r/a.md', old_string: 'x', new_string: 'Deploy it to Production' }, 'the new text for /r/a.md'],
    ['MultiEdit', { file_path: '/r/a.md', edits: [{ old_string: 'a', new_string: 'b' }, { old_string: 'c', new_string: 'deploy production' }] }, 'edit 2'],
    ['NotebookEdit', { notebook_path: '/r/n.ipynb', new_source: '!./deploy production' }, 'the new cell source'],
    ['Write', { file_path: '/r/.env', content: 'A=1' }, 'the file path /r/.env matches the forbidden pattern /\\.env$/'],
    ['NotebookEdit', { notebook_path: '/r/.env', new_source: '' }, 'the notebook path /r/.env'],
  ];
  for (const [tool, input, fragment] of blockedCalls) {
    it(`blocks ${tool} ${JSON.stringify(input)}`, () => {
      const verdict = checkToolCall(tool, input, rules);
      assert.equal(verdict.allowed, false);
      if (!verdict.allowed) assert.match(verdict.reason, new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    });
  }

  it('allows ordinary writes, removals of forbidden text and other tools', () => {
    assert.deepEqual(checkToolCall('Write', { file_path: '/r/a.md', content: 'deploy to staging' }, rules), { allowed: true });
    assert.deepEqual(checkToolCall('Edit', { file_path: '/r/a.md', old_string: 'deploy production', new_string: '' }, rules), { allowed: true });
    assert.deepEqual(checkToolCall('Read', { file_path: '/r/.env' }, rules), { allowed: true });
    assert.deepEqual(checkToolCall('Grep', { pattern: 'rm -rf' }, rules), { allowed: true });
    assert.deepEqual(checkToolCall('MultiEdit', { file_path: '/r/a', edits: [null, 3, { new_string: 7 }] }, rules), { allowed: true });
  });
});

describe('checkToolCall: verdicts', () => {
  it('names the rule and what matched in a sentence', () => {
    assert.deepEqual(bash('rm -r -f /tmp/x'), {
      allowed: false,
      rule: 'rm -rf',
      reason: 'Blocked by the session charter: "rm -rf" is a forbidden command (matched: rm -r -f /tmp/x)',
    });
    assert.deepEqual(bash('./deploy.sh production'), {
      allowed: false,
      rule: '/deploy.*production/i',
      reason: 'Blocked by the session charter: the command matches the forbidden pattern /deploy.*production/i (matched: deploy.sh production)',
    });
  });

  it('is not fooled by lastIndex on g and y patterns, and leaves them untouched', () => {
    const global = /production/g;
    const sticky = /secret/y;
    const r: PolicyRules = { forbiddenCommands: [], forbiddenPatterns: [global, sticky] };
    for (let i = 0; i < 3; i++) {
      assert.equal(bash('deploy production', r).allowed, false);
      assert.equal(bash('cat my-secret', r).allowed, false);
      assert.equal(checkToolCall('Write', { file_path: 'a', content: 'production' }, r).allowed, false);
    }
    assert.equal(global.lastIndex, 0);
    assert.equal(sticky.lastIndex, 0);
  });

  it('allows everything when there are no rules, and ignores a missing command', () => {
    const none: PolicyRules = { forbiddenCommands: [], forbiddenPatterns: [] };
    assert.deepEqual(bash('rm -rf /', none), { allowed: true });
    assert.deepEqual(bash(`${'eval '.repeat(40)}ls`, none), { allowed: true });
    assert.deepEqual(checkToolCall('Bash', {}, rules), { allowed: true });
    assert.deepEqual(checkToolCall('Bash', { command: 42 }, rules), { allowed: true });
  });

  it('fails closed when nesting is too deep to check', () => {
    const verdict = bash(`${'eval '.repeat(40)}ls`);
    assert.equal(verdict.allowed, false);
    if (!verdict.allowed) assert.equal(verdict.rule, NESTING_RULE);
    assert.equal(bash(`echo ${'$('.repeat(3000)}`).allowed, false);
  });
});
