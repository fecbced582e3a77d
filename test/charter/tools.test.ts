import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHARTER_TOOL_NAMES, cliToolsFor, isAllowedToolEntry, isToolAllowed, TOOL_NAMES } from '../../src/charter/tools.js';

const BASH = ['Bash', 'BashOutput', 'KillShell', 'KillBash', 'TaskOutput', 'TaskStop'];

void describe('cliToolsFor', () => {
  const cases: [string[], string[]][] = [
    [['read'], ['Read', 'NotebookRead']],
    [['write'], ['Write', 'Edit', 'MultiEdit', 'NotebookEdit']],
    [['bash'], BASH],
    [['glob'], ['Glob']],
    [['grep'], ['Grep']],
    [['task'], ['Task', 'Agent', 'TaskOutput', 'TaskStop']],
    [['read', 'bash'], ['Read', 'NotebookRead', ...BASH]],
    [['write', 'edit'], ['Write', 'Edit', 'MultiEdit', 'NotebookEdit']],
    [['edit', 'write'], ['Edit', 'MultiEdit', 'NotebookEdit', 'Write']],
    [['bash', 'bash', 'BASH'], BASH],
    [['READ', 'Grep', 'gLoB'], ['Read', 'NotebookRead', 'Grep', 'Glob']],
    [['grep', 'mcp__github', 'mcp__ci__deploy'], ['Grep', 'mcp__github', 'mcp__ci__deploy']],
    [[], []],
  ];
  for (const [input, expected] of cases) {
    void it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => assert.deepEqual(cliToolsFor(input), expected));
  }

  void it('ignores unknown names, including names of Object.prototype', () => {
    assert.deepEqual(cliToolsFor(['deploy', 'grep']), ['Grep']);
    assert.deepEqual(cliToolsFor(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'mcp__', 'MCP__x']), []);
  });

  void it('has a CLI mapping for every charter tool name', () => {
    assert.deepEqual(CHARTER_TOOL_NAMES, Object.keys(TOOL_NAMES));
    for (const name of CHARTER_TOOL_NAMES) {
      assert.equal(name, name.toLowerCase());
      assert.ok(cliToolsFor([name]).length > 0, name);
    }
  });
});

void describe('isAllowedToolEntry', () => {
  for (const ok of ['read', 'BASH', 'webfetch', 'mcp__github', 'mcp__my-server', 'mcp__my_server__create_issue', 'mcp__s__t-1']) {
    void it(`accepts ${ok}`, () => assert.equal(isAllowedToolEntry(ok), true));
  }
  for (const bad of ['deploy', 'constructor', 'mcp__', 'mcp___x', 'mcp__a__', 'mcp__a b', 'MCP__x', 'mcp_x', 'mcp__x/y', 'Bash(rm:*)']) {
    void it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(isAllowedToolEntry(bad), false));
  }
});

void describe('isToolAllowed', () => {
  const allowed = ['read', 'bash', 'mcp__github', 'mcp__ci__status'];
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['Read', {}, true],
    ['Bash', {}, true],
    ['BashOutput', {}, true],
    ['Write', {}, false],
    ['WebFetch', {}, false],
    ['Task', {}, false],
    ['Agent', {}, false],
    ['TodoWrite', {}, false],
    ['ExitPlanMode', {}, false],
    ['SomeFutureTool', {}, false],
    ['mcp__github__create_issue', {}, true],
    ['mcp__github__delete_repo', {}, true],
    ['mcp__githubx__create_issue', {}, false],
    ['mcp__ci__status', {}, true],
    ['mcp__ci__deploy', {}, false],
    ['mcp__other__x', {}, false],
    ['ListMcpResourcesTool', { server: 'github' }, true],
    ['ReadMcpResourceTool', { server: 'github', uri: 'x' }, true],
    ['ReadMcpResourceTool', { server: 'ci', uri: 'x' }, false],
    ['ListMcpResourcesTool', {}, false],
    ['ToolSearch', { query: 'x' }, true],
  ];
  for (const [tool, input, expected] of cases) {
    void it(`${tool} ${JSON.stringify(input)} -> ${expected}`, () => assert.equal(isToolAllowed(tool, input, allowed), expected));
  }

  void it('allows nothing when the charter lists no tools, and no ToolSearch without MCP entries', () => {
    assert.equal(isToolAllowed('Read', {}, []), false);
    assert.equal(isToolAllowed('ToolSearch', {}, ['read']), false);
  });
});
