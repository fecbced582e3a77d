import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateSessionConfig } from '../../src/charter/schema.js';
import { ConfigError, ErrorCodes, isVpDaemonError, VpDaemonError } from '../../src/session/errors.js';
import type { ClaudeSessionConfig } from '../../src/index.js';
import { makeConfig } from '../helpers/fixtures.js';

type Mutable = Record<string, unknown>;

/** A fresh valid config with the value at `path` replaced (or removed when `value` is the REMOVE marker). */
const REMOVE = Symbol('remove');
function withValue(path: string, value: unknown): unknown {
  const config = structuredClone(makeConfig('/tmp/work')) as unknown as Mutable;
  const keys = path.split('.');
  let target = config;
  for (const key of keys.slice(0, -1)) {
    target[key] ??= {};
    target = target[key] as Mutable;
  }
  const last = keys.at(-1) ?? '';
  if (value === REMOVE) delete target[last];
  else target[last] = value;
  return config;
}

function expectConfigError(input: unknown): ConfigError {
  let caught: unknown;
  try {
    validateSessionConfig(input);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  return caught;
}

interface Case {
  /** Where the bad value goes. */
  path: string;
  value: unknown;
  /** The dotted field the error names (defaults to `path`). */
  field?: string;
  /** How the message shows the value. */
  shown: string;
  /** The `value` the error reports, when not `value` itself (an array's element). */
  given?: unknown;
}

const BAD_DATE = new Date('not a date');

const CASES: Case[] = [
  { path: 'charter.resources.maxTokens', value: 0, shown: '0' },
  { path: 'charter.resources.maxTokens', value: -5, shown: '-5' },
  { path: 'charter.resources.maxTokens', value: 1.5, shown: '1.5' },
  { path: 'charter.resources.maxTokens', value: '1000', shown: '"1000"' },
  { path: 'charter.resources.maxTokens', value: Number.NaN, shown: 'NaN' },
  { path: 'timeout', value: Number.POSITIVE_INFINITY, shown: 'Infinity' },
  { path: 'charter.resources.maxCostUsd', value: 0, shown: '0' },
  { path: 'charter.resources.maxCostUsd', value: -0.5, shown: '-0.5' },
  { path: 'charter.resources.maxCostUsd', value: '1', shown: '"1"' },
  { path: 'charter.resources.maxCostUsd', value: Number.POSITIVE_INFINITY, shown: 'Infinity' },
  { path: 'charter.resources.maxExecutionTime', value: -1, shown: '-1' },
  { path: 'charter.resources.maxExecutionTime', value: 0.5, shown: '0.5' },
  { path: 'charter.resources.allowedTools', value: ['read', 'deploy'], field: 'charter.resources.allowedTools.1', shown: '"deploy"', given: 'deploy' },
  { path: 'charter.resources.allowedTools', value: ['constructor'], field: 'charter.resources.allowedTools.0', shown: '"constructor"', given: 'constructor' },
  { path: 'charter.resources.allowedTools', value: 'read', shown: '"read"' },
  { path: 'charter.constraints.forbiddenPatterns', value: [/ok/, 'rm -rf'], field: 'charter.constraints.forbiddenPatterns.1', shown: '"rm -rf"', given: 'rm -rf' },
  { path: 'charter.constraints.forbiddenPatterns', value: [{ source: 'x' }], field: 'charter.constraints.forbiddenPatterns.0', shown: '{"source":"x"}', given: { source: 'x' } },
  { path: 'charter.constraints.forbiddenCommands', value: [''], field: 'charter.constraints.forbiddenCommands.0', shown: '""', given: '' },
  { path: 'charter.constraints.requiredApprovals', value: [7], field: 'charter.constraints.requiredApprovals.0', shown: '7', given: 7 },
  { path: 'charter.identity.name', value: '', shown: '""' },
  { path: 'charter.identity.name', value: REMOVE, shown: 'undefined' },
  { path: 'charter.identity.role', value: 3, shown: '3' },
  { path: 'charter.objectives', value: 'be good', shown: '"be good"' },
  { path: 'taskContext.priority', value: 'urgent', shown: '"urgent"' },
  { path: 'taskContext.priority', value: 'HIGH', shown: '"HIGH"' },
  { path: 'taskContext.taskId', value: 42, shown: '42' },
  { path: 'taskContext.taskId', value: '', shown: '""' },
  { path: 'taskContext.relatedTasks', value: ['ok', 5], field: 'taskContext.relatedTasks.1', shown: '5', given: 5 },
  { path: 'memory.conversationHistory', value: [{ role: 'system', content: 'x' }], field: 'memory.conversationHistory.0.role', shown: '"system"', given: 'system' },
  { path: 'memory.recentActions', value: [{ timestamp: 5, action: 'a', result: 'b' }], field: 'memory.recentActions.0.timestamp', shown: '5', given: 5 },
  { path: 'memory.recentActions', value: [{ timestamp: BAD_DATE, action: 'a', result: 'b' }], field: 'memory.recentActions.0.timestamp', shown: 'Invalid Date', given: BAD_DATE },
  { path: 'memory.preferences', value: null, shown: 'null' },
  { path: 'workingDirectory', value: '', shown: '""' },
  { path: 'timeout', value: -1, shown: '-1' },
  { path: 'maxTurns', value: 0, shown: '0' },
  { path: 'model', value: '', shown: '""' },
  { path: 'startupTimeoutMs', value: 1.25, shown: '1.25' },
  { path: 'idleTimeoutMs', value: -100, shown: '-100' },
  { path: 'resumeClaudeSessionId', value: 'not-a-uuid', shown: '"not-a-uuid"' },
  { path: 'environmentVariables', value: { FOO: 1 }, field: 'environmentVariables.FOO', shown: '1', given: 1 },
  { path: 'verbose', value: 'yes', shown: '"yes"' },
];

void describe('validateSessionConfig', () => {
  void it('returns the same object for a valid config', () => {
    const config = makeConfig('/tmp/work');
    assert.equal(validateSessionConfig(config), config);
  });

  void it('accepts every optional field when valid, and keeps RegExp and Date instances', () => {
    const config: ClaudeSessionConfig = makeConfig('/tmp/work', {
      timeout: 0,
      environmentVariables: { FOO: 'bar' },
      model: 'sonnet',
      maxTurns: 3,
      startupTimeoutMs: 1000,
      idleTimeoutMs: 0,
      resumeClaudeSessionId: '123e4567-e89b-42d3-a456-426614174000',
      verbose: true,
    });
    config.charter.resources.allowedTools = ['READ', 'Write', 'bash', 'glob', 'grep', 'webfetch'];
    config.charter.resources.maxCostUsd = 0.5;
    config.taskContext.relatedTasks = ['A-1'];
    config.taskContext.metadata = { anything: { goes: [1] } };
    config.memory.recentActions = [{ timestamp: new Date(0), action: 'a', result: 'b' }];
    const out = validateSessionConfig(config);
    assert.equal(out, config);
    assert.ok(out.charter.constraints.forbiddenPatterns[0] instanceof RegExp);
    assert.ok(out.memory.recentActions[0]?.timestamp instanceof Date);
  });

  for (const c of CASES) {
    const field = c.field ?? c.path;
    void it(`rejects ${field} = ${c.shown}`, () => {
      const error = expectConfigError(withValue(c.path, c.value));
      assert.equal(error.code, 'ERR_INVALID_CONFIG');
      assert.equal(error.code, ErrorCodes.INVALID_CONFIG);
      assert.equal(error.field, field);
      const given = 'given' in c ? c.given : c.value === REMOVE ? undefined : c.value;
      if (typeof given === 'object' && given !== null && !(given instanceof Date)) assert.deepEqual(error.value, given);
      else assert.equal(error.value, given);
      assert.ok(error.message.includes(field), `message names the field: ${error.message}`);
      assert.ok(error.message.includes(`got ${c.shown}`), `message shows the value: ${error.message}`);
      assert.equal(error.issues.length, 1, JSON.stringify(error.issues));
    });
  }

  void it('reports the element itself as the value of an array entry', () => {
    const error = expectConfigError(withValue('charter.resources.allowedTools', ['read', 'deploy']));
    assert.equal(error.value, 'deploy');
    assert.match(error.message, /must be one of read, write/);
  });

  void it('rejects non-objects at the root', () => {
    for (const input of [null, undefined, 'config', 42, []]) {
      const error = expectConfigError(input);
      assert.equal(error.field, '(root)');
      assert.equal(error.value, input);
    }
  });

  void it('collects every problem and says how many more there are', () => {
    const config = withValue('taskContext.priority', 'urgent') as Mutable;
    (config['charter'] as { resources: { maxTokens: number } }).resources.maxTokens = -1;
    const error = expectConfigError(config);
    assert.equal(error.issues.length, 2);
    assert.deepEqual(error.issues.map((i) => i.field).sort(), ['charter.resources.maxTokens', 'taskContext.priority']);
    assert.match(error.message, /\(and 1 more\)$/);
    assert.equal(error.field, error.issues[0]?.field);
  });

  void it('throws an error of this package', () => {
    const error = expectConfigError(withValue('maxTurns', -1));
    assert.ok(error instanceof VpDaemonError);
    assert.ok(isVpDaemonError(error));
    assert.equal(error.name, 'ConfigError');
  });
});
