import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHARTER_TOOL_NAMES, cliToolsFor, TOOL_NAMES } from '../../src/charter/tools.js';

void describe('cliToolsFor', () => {
  const cases: [string[], string[]][] = [
    [['read'], ['Read']],
    [['write'], ['Write', 'Edit', 'MultiEdit', 'NotebookEdit']],
    [['bash'], ['Bash']],
    [['glob'], ['Glob']],
    [['grep'], ['Grep']],
    [['read', 'bash'], ['Read', 'Bash']],
    [['write', 'edit'], ['Write', 'Edit', 'MultiEdit', 'NotebookEdit']],
    [['edit', 'write'], ['Edit', 'MultiEdit', 'NotebookEdit', 'Write']],
    [['bash', 'bash', 'BASH'], ['Bash']],
    [['READ', 'Grep', 'gLoB'], ['Read', 'Grep', 'Glob']],
    [[], []],
  ];
  for (const [input, expected] of cases) {
    void it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => assert.deepEqual(cliToolsFor(input), expected));
  }

  void it('ignores unknown names, including names of Object.prototype', () => {
    assert.deepEqual(cliToolsFor(['deploy', 'read']), ['Read']);
    assert.deepEqual(cliToolsFor(['constructor', 'toString', '__proto__', 'hasOwnProperty']), []);
  });

  void it('has a CLI mapping for every charter tool name', () => {
    assert.deepEqual(CHARTER_TOOL_NAMES, Object.keys(TOOL_NAMES));
    for (const name of CHARTER_TOOL_NAMES) {
      assert.equal(name, name.toLowerCase());
      assert.ok(cliToolsFor([name]).length > 0, name);
    }
  });
});
