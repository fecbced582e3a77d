// Config validation of what the guard needs to enforce safely: forbidden patterns RE2 can run, MCP tool entries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateSessionConfig } from '../../src/charter/schema.js';
import { ConfigError } from '../../src/session/errors.js';
import { makeConfig } from '../helpers/fixtures.js';

function configError(mutate: (config: ReturnType<typeof makeConfig>) => void): ConfigError {
  const config = makeConfig('/tmp/work');
  mutate(config);
  try {
    validateSessionConfig(config);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('expected a ConfigError');
}

void describe('validateSessionConfig: forbiddenPatterns must run in linear time', () => {
  const refused: [RegExp, RegExp][] = [
    [/(a)\1/, /backreference/],
    [/(?<n>a)\k<n>/, /backreference/],
    [/deploy(?=.*production)/, /lookaround/],
    [/deploy(?!ment)/, /lookaround/],
    [/(?<=sudo )rm/, /lookaround/],
    [/(?<!-)rf/, /lookaround/],
    [/a{2000}/, /linear time/],
  ];
  for (const [pattern, message] of refused) {
    void it(`refuses ${String(pattern)} with a ConfigError naming the field and the value`, () => {
      const error = configError((c) => (c.charter.constraints.forbiddenPatterns = [/ok/, pattern]));
      assert.equal(error.code, 'ERR_INVALID_CONFIG');
      assert.equal(error.field, 'charter.constraints.forbiddenPatterns.1');
      assert.equal(error.value, pattern);
      assert.match(error.message, message);
      assert.ok(error.message.includes(`got ${String(pattern)}`), error.message);
      assert.equal(error.issues.length, 1);
    });
  }

  void it('accepts the patterns RE2 can express, with the flags that matter (g and y are ignored)', () => {
    const config = makeConfig('/tmp/work');
    config.charter.constraints.forbiddenPatterns = [/deploy.*production/i, /^rm\s+-rf\b/m, /a.b/s, /x/gy, /[\s\S]+secret/u, /(?<name>ab)+c/, /\d{3}-\d{4}/, /[^]/];
    assert.equal(validateSessionConfig(config), config);
  });
});

void describe('validateSessionConfig: allowedTools names MCP tools', () => {
  void it('accepts mcp__<server> and mcp__<server>__<tool> besides the charter tool names', () => {
    const config = makeConfig('/tmp/work');
    config.charter.resources.allowedTools = ['read', 'mcp__github', 'mcp__ci__deploy'];
    assert.equal(validateSessionConfig(config), config);
  });

  for (const bad of ['mcp__', 'mcp_github', 'github', 'mcp__a__', 'mcp__with space']) {
    void it(`refuses ${JSON.stringify(bad)}`, () => {
      const error = configError((c) => (c.charter.resources.allowedTools = ['read', bad]));
      assert.equal(error.field, 'charter.resources.allowedTools.1');
      assert.equal(error.value, bad);
      assert.match(error.message, /mcp__<server>/);
    });
  }
});
