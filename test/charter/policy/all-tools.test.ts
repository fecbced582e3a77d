// checkToolCall covers every tool: the charter's allowed tools, and the patterns on the JSON of any input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkToolCall, MAX_CHECKED_CHARS, TOOL_RULE, type PolicyRules } from '../../../src/charter/policy/index.js';

const rules: PolicyRules = {
  forbiddenCommands: ['rm -rf'],
  forbiddenPatterns: [/deploy.*production/i, /\.env$/, /AKIA[0-9A-Z]{16}/],
  allowedTools: ['read', 'write', 'bash', 'webfetch', 'websearch', 'task', 'mcp__github', 'mcp__ci__status'],
};

void describe('checkToolCall: allowed tools', () => {
  const refused = ['Grep', 'Glob', 'TodoWrite', 'ExitPlanMode', 'Skill', 'SomeFutureTool', 'mcp__ci__deploy', 'mcp__slack__post', 'ReadMcpResourceTool'];
  for (const tool of refused) {
    void it(`refuses ${tool}, which the charter does not allow`, () => {
      const verdict = checkToolCall(tool, { server: 'ci' }, rules);
      assert.equal(verdict.allowed, false);
      if (!verdict.allowed) {
        assert.equal(verdict.rule, TOOL_RULE);
        assert.match(verdict.reason, new RegExp(`the tool ${tool} is not among the tools this session may use`));
      }
    });
  }

  const allowed: [string, Record<string, unknown>][] = [
    ['Read', { file_path: '/w/a.ts' }],
    ['Write', { file_path: '/w/a.ts', content: 'ok' }],
    ['Task', { description: 'x', prompt: 'look around' }],
    ['Agent', { description: 'x', prompt: 'look around' }],
    ['WebFetch', { url: 'https://example.com', prompt: 'summarise' }],
    ['WebSearch', { query: 'node worker threads' }],
    ['mcp__github__create_issue', { title: 'Bug', body: 'details' }],
    ['mcp__ci__status', {}],
    ['ReadMcpResourceTool', { server: 'github', uri: 'repo://x' }],
  ];
  for (const [tool, input] of allowed) {
    void it(`allows ${tool}`, () => assert.deepEqual(checkToolCall(tool, input, rules), { allowed: true }));
  }

  void it('lets every tool through when the rules carry no allowedTools', () => {
    assert.deepEqual(checkToolCall('mcp__any__thing', {}, { forbiddenCommands: [], forbiddenPatterns: [] }), { allowed: true });
  });
});

void describe('checkToolCall: patterns on the input of any tool', () => {
  const blocked: [string, Record<string, unknown>, RegExp][] = [
    ['mcp__github__create_issue', { title: 'Plan', body: 'then deploy to production' }, /the input of mcp__github__create_issue matches the forbidden pattern \/deploy\.\*production\/i/],
    ['mcp__github__create_issue', { title: 'x', body: 'multi\nline: deploy it to\tproduction' }, /deploy/],
    ['mcp__github__create_file', { path: 'config/.env', content: 'A=1' }, /\\\.env\$/],
    ['Task', { description: 'x', prompt: 'Deploy the app to Production' }, /the input of Task/],
    ['WebFetch', { url: 'https://x.test/?k=AKIAABCDEFGHIJKLMNOP', prompt: 'p' }, /AKIA/],
    ['WebSearch', { query: 'how to deploy to production fast' }, /WebSearch/],
    ['NotebookEdit', { notebook_path: '/w/n.ipynb', new_source: '!deploy production' }, /the new cell source/],
    ['mcp__github__x', { nested: { list: [{ deep: 'deploy → production' }] } }, /deploy/],
  ];
  for (const [tool, input, reason] of blocked) {
    void it(`refuses ${tool} ${JSON.stringify(input).slice(0, 60)}`, () => {
      const verdict = checkToolCall(tool, input, rules);
      assert.equal(verdict.allowed, false);
      if (!verdict.allowed) assert.match(verdict.reason, reason);
    });
  }

  void it('checks the JSON of read-only tools, not each value (reading .env is no write)', () => {
    assert.deepEqual(checkToolCall('Read', { file_path: '/w/.env' }, rules), { allowed: true });
    assert.equal(checkToolCall('Read', { file_path: '/w/deploy-production.md' }, rules).allowed, false);
  });

  void it('refuses an input too large to check, and accepts a large ordinary one', () => {
    const huge = checkToolCall('mcp__github__create_issue', { body: 'x'.repeat(MAX_CHECKED_CHARS + 1) }, rules);
    assert.equal(huge.allowed, false);
    assert.deepEqual(checkToolCall('mcp__github__create_issue', { body: 'lorem ipsum\n'.repeat(100_000) }, rules), { allowed: true });
    const spread = checkToolCall('Write', { file_path: '/w/a', content: `deploy ${'x'.repeat(1_000_000)} production` }, rules);
    assert.equal(spread.allowed, false);
    if (!spread.allowed) assert.match(spread.reason, /somewhere in its 1000\d+ characters/);
  });

  void it('refuses every call when a pattern cannot be run safely (an unvalidated charter)', () => {
    const broken: PolicyRules = { forbiddenCommands: [], forbiddenPatterns: [/ok/, /(a)\1/] };
    const verdict = checkToolCall('Bash', { command: 'ls' }, broken);
    assert.equal(verdict.allowed, false);
    if (!verdict.allowed) assert.match(verdict.reason, /backreference.*the charter must be fixed/);
  });

  void it('accepts patterns given as source and flags, as a worker receives them', () => {
    const posted: PolicyRules = { forbiddenCommands: [], forbiddenPatterns: [{ source: 'deploy.*production', flags: 'i' }] };
    const verdict = checkToolCall('Bash', { command: './deploy.sh PRODUCTION' }, posted);
    assert.deepEqual(verdict.allowed ? undefined : verdict.rule, '/deploy.*production/i');
  });
});
