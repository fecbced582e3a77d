import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClaudeBinaryError, ConfigError, ErrorCodes, isVpDaemonError, SessionNotFoundError, SessionNotRunningError, SpawnError, StateDirError, VpDaemonError, WorkingDirectoryError } from '../src/session/errors.js';

const cause = new Error('root cause');
const ERRORS: [string, VpDaemonError, string][] = [
  ['VpDaemonError', new VpDaemonError('ERR_SPAWN_FAILED', 'base'), 'ERR_SPAWN_FAILED'],
  ['ConfigError', new ConfigError([{ field: 'a.b', message: 'bad', value: 1 }]), 'ERR_INVALID_CONFIG'],
  ['WorkingDirectoryError', new WorkingDirectoryError('/nope', { cause }), 'ERR_WORKDIR_NOT_FOUND'],
  ['ClaudeBinaryError', new ClaudeBinaryError('ERR_CLAUDE_NOT_FOUND', '/bin/claude'), 'ERR_CLAUDE_NOT_FOUND'],
  ['StateDirError', new StateDirError('/state'), 'ERR_STATE_DIR_UNWRITABLE'],
  ['SpawnError', new SpawnError('could not start', { cause }), 'ERR_SPAWN_FAILED'],
  ['SessionNotFoundError', new SessionNotFoundError('s-1'), 'ERR_SESSION_NOT_FOUND'],
  ['SessionNotRunningError', new SessionNotRunningError('s-1', 'completed'), 'ERR_SESSION_NOT_RUNNING'],
];

void describe('errors', () => {
  for (const [name, error, code] of ERRORS) {
    void it(`${name}: extends VpDaemonError and Error, has its class name and code`, () => {
      assert.ok(error instanceof VpDaemonError);
      assert.ok(error instanceof Error);
      assert.equal(error.name, name);
      assert.equal(error.code, code);
      assert.ok(isVpDaemonError(error));
      assert.ok(String(error).startsWith(`${name}: `));
      assert.ok(error.stack?.includes(name));
      assert.ok(Object.values(ErrorCodes).includes(error.code));
    });
  }

  void it('keeps the cause', () => {
    assert.equal(new SpawnError('x', { cause }).cause, cause);
    assert.equal(new WorkingDirectoryError('/x', { cause }).cause, cause);
  });

  void it('isVpDaemonError is false for other values', () => {
    for (const value of [new Error('x'), new TypeError('x'), { code: 'ERR_INVALID_CONFIG', name: 'ConfigError' }, null, undefined, 'ConfigError']) {
      assert.equal(isVpDaemonError(value), false);
    }
  });

  void it('names fields and values of the file-system errors', () => {
    const wd = new WorkingDirectoryError('/nope');
    assert.equal(wd.field, 'workingDirectory');
    assert.equal(wd.value, '/nope');
    assert.match(wd.message, /\/nope/);
    const bin = new ClaudeBinaryError('ERR_CLAUDE_NOT_EXECUTABLE', '/bin/claude');
    assert.equal(bin.field, 'claudePath');
    assert.match(bin.message, /not executable: \/bin\/claude/);
    assert.match(new ClaudeBinaryError('ERR_CLAUDE_NOT_FOUND', '/x').message, /not found: \/x/);
    assert.equal(new StateDirError('/s').field, 'stateDir');
    assert.match(new SessionNotRunningError('s-9', 'failed').message, /s-9 is failed/);
    assert.equal(new SessionNotFoundError('s-8').sessionId, 's-8');
  });
});

void describe('ConfigError', () => {
  void it('takes field, value and message from the first issue and keeps them all', () => {
    const issues = [
      { field: 'a', message: 'bad a', value: 1 },
      { field: 'b', message: 'bad b', value: 2 },
      { field: 'c', message: 'bad c', value: 3 },
    ];
    const error = new ConfigError(issues, 'ERR_INVALID_OPTION');
    assert.equal(error.code, 'ERR_INVALID_OPTION');
    assert.equal(error.field, 'a');
    assert.equal(error.value, 1);
    assert.equal(error.message, 'Invalid a: bad a; got 1 (and 2 more)');
    assert.deepEqual(error.issues, issues);
  });

  void it('works with no issues', () => {
    const error = new ConfigError([]);
    assert.equal(error.field, '(root)');
    assert.equal(error.message, 'Invalid (root): invalid; got undefined');
  });

  const shown: [unknown, string][] = [
    ['text', '"text"'],
    ['x'.repeat(100), `"${'x'.repeat(80)}…"`],
    [/a+b/gi, '/a+b/gi'],
    [new Date('2024-01-02T03:04:05.000Z'), '2024-01-02T03:04:05.000Z'],
    [new Date(Number.NaN), 'Invalid Date'],
    [{ a: 1 }, '{"a":1}'],
    [[1, 2], '[1,2]'],
    [null, 'null'],
    [undefined, 'undefined'],
    [10n, '10n'],
    [Number.NaN, 'NaN'],
    [-Infinity, '-Infinity'],
    [Symbol('s'), 'symbol'],
  ];
  for (const [value, text] of shown) {
    void it(`shows the value ${text}`, () => {
      assert.equal(new ConfigError([{ field: 'f', message: 'm', value }]).message, `Invalid f: m; got ${text}`);
    });
  }

  void it('shortens long JSON values and survives cycles', () => {
    const long = new ConfigError([{ field: 'f', message: 'm', value: { text: 'y'.repeat(200) } }]).message;
    assert.ok(long.endsWith('…'));
    assert.ok(long.length < 140);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    assert.equal(new ConfigError([{ field: 'f', message: 'm', value: cyclic }]).message, 'Invalid f: m; got object');
  });
});
