// Charter and task files validate their forbidden patterns like a session's charter: RE2-expressible only.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TaskFileError } from '../../src/session/errors.js';
import { loadCharterFile } from '../../src/files/load.js';
import { parsePattern } from '../../src/files/schema.js';
import { tempDir } from '../helpers/fixtures.js';

const charter = (patterns: string): string => `identity:
  name: Test VP
  email: vp@example.com
  role: Engineer
objectives: [Ship it]
constraints:
  forbiddenCommands: [rm -rf]
  forbiddenPatterns: [${patterns}]
  requiredApprovals: []
resources:
  maxTokens: 1000
  maxExecutionTime: 60000
  allowedTools: [read, mcp__github]
`;

void describe('parsePattern', () => {
  void it('returns the RegExp of a pattern RE2 can run', () => {
    assert.deepEqual(parsePattern('/deploy.*production/i'), /deploy.*production/i);
  });

  void it('explains why lookaround and backreferences are refused', () => {
    assert.match(String(parsePattern('/deploy(?=.*prod)/')), /lookaround/);
    assert.match(String(parsePattern('/(x)\\1/')), /backreference/);
  });
});

void describe('loadCharterFile: forbidden patterns', () => {
  void it('refuses a pattern RE2 cannot run, at its line and column, and accepts MCP tool entries', async (t) => {
    const dir = tempDir('vp-patterns-');
    t.after(dir.remove);
    const path = join(dir.path, 'charter.yaml');
    writeFileSync(path, charter("'/ok/', '/a(?!b)/'"));
    const error = await loadCharterFile(path).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TaskFileError, String(error));
    assert.equal(error.issues[0]?.field, 'constraints.forbiddenPatterns.1');
    assert.equal(error.issues[0]?.value, '/a(?!b)/');
    assert.equal(error.issues[0]?.line, 8);
    assert.match(error.message, /lookaround/);

    writeFileSync(path, charter("'/ok/'"));
    const loaded = await loadCharterFile(path);
    assert.deepEqual(loaded.resources.allowedTools, ['read', 'mcp__github']);
  });
});
