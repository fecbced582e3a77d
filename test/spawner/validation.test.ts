// Input validation: every bad input is refused before a process is started or a session folder is left behind.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  ClaudeBinaryError,
  ClaudeSessionSpawner,
  ConfigError,
  SpawnError,
  StateDirError,
  WorkingDirectoryError,
  type ClaudeSessionConfig,
  type SessionPriority,
  type SpawnerOptions,
} from '../../src/index.js';
import { fakeAgentPath, record, watch, within } from '../helpers/fake-agents.js';
import { makeConfig, silentLogger, tempDir } from '../helpers/fixtures.js';

describe('spawnSession input validation', () => {
  let root: ReturnType<typeof tempDir>;
  let workDir: string;
  let stateDir: string;
  // fake-touch writes this file when it runs: its absence proves nothing was spawned.
  let touchFile: string;

  // A fresh folder per test: work/, state/ and the fixture's evidence file.
  beforeEach(() => {
    root = tempDir('vp-validation-');
    workDir = join(root.path, 'work');
    stateDir = join(root.path, 'state');
    // Inside the workspace: a sandboxed agent can write nowhere else.
    touchFile = join(workDir, 'fixture-ran');
    mkdirSync(workDir);
  });
  afterEach(() => root.remove());

  const spawnerWith = (options: Omit<SpawnerOptions, 'logger'> = {}): ClaudeSessionSpawner => {
    const spawner = new ClaudeSessionSpawner({
      claudePath: fakeAgentPath('touch'),
      stateDir,
      env: { FAKE_TOUCH_FILE: touchFile },
      logger: silentLogger,
      killGraceMs: 2000,
      ...options,
    });
    watch(spawner);
    return spawner;
  };

  /** Nothing ran and no session folder exists under `<dir>/sessions`. */
  const assertNothingLeft = (spawner: ClaudeSessionSpawner, spawned: unknown[], dir = stateDir): void => {
    assert.deepEqual(spawned, [], 'session-spawned was emitted');
    assert.deepEqual(spawner.getActiveSessions(), []);
    assert.equal(spawner.getMetricsSummary().totalSessions, 0);
    assert.equal(existsSync(touchFile), false, 'the agent was started');
    const sessions = join(dir, 'sessions');
    if (existsSync(sessions)) assert.deepEqual(readdirSync(sessions), [], 'a session folder was left behind');
  };

  /** Expects `spawnSession(config)` to reject with `expected`, and nothing to be left behind. */
  const rejectsCleanly = async (
    spawner: ClaudeSessionSpawner,
    config: ClaudeSessionConfig,
    expected: (error: unknown) => boolean,
    dir = stateDir,
  ): Promise<void> => {
    const spawned = record(spawner, 'session-spawned');
    await assert.rejects(spawner.spawnSession(config), expected);
    assertNothingLeft(spawner, spawned, dir);
  };

  const invalidConfigs: [string, (config: ClaudeSessionConfig) => void, unknown][] = [
    ['taskContext.priority', (c) => (c.taskContext.priority = 'urgent' as SessionPriority), 'urgent'],
    ['charter.resources.maxTokens', (c) => (c.charter.resources.maxTokens = -1), -1],
    ['charter.resources.allowedTools.0', (c) => (c.charter.resources.allowedTools = ['deploy']), 'deploy'],
    ['timeout', (c) => (c.timeout = 1.5), 1.5],
    ['startupTimeoutMs', (c) => (c.startupTimeoutMs = -1), -1],
    ['charter.identity.name', (c) => (c.charter.identity.name = ''), ''],
    ['resumeClaudeSessionId', (c) => (c.resumeClaudeSessionId = 'not-a-uuid'), 'not-a-uuid'],
  ];
  for (const [field, breakIt, value] of invalidConfigs) {
    it(`an invalid ${field} is a ConfigError ERR_INVALID_CONFIG naming the field and value`, async () => {
      const config = makeConfig(workDir);
      breakIt(config);
      await rejectsCleanly(spawnerWith(), config, (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.code, 'ERR_INVALID_CONFIG');
        assert.equal(error.field, field);
        assert.deepEqual(error.value, value);
        return true;
      });
    });
  }

  it('a missing working directory is ERR_WORKDIR_NOT_FOUND', async () => {
    const missing = join(root.path, 'no-such-dir');
    await rejectsCleanly(spawnerWith(), makeConfig(missing), (error: unknown) => {
      assert.ok(error instanceof WorkingDirectoryError);
      assert.equal(error.code, 'ERR_WORKDIR_NOT_FOUND');
      assert.equal(error.value, missing);
      return true;
    });
  });

  it('a working directory that is a file is ERR_WORKDIR_NOT_FOUND', async () => {
    const file = join(root.path, 'a-file-not-a-dir');
    writeFileSync(file, '');
    await rejectsCleanly(spawnerWith(), makeConfig(file), (error: unknown) => {
      assert.ok(error instanceof WorkingDirectoryError);
      assert.equal(error.code, 'ERR_WORKDIR_NOT_FOUND');
      return true;
    });
  });

  it('a claudePath that does not exist is ERR_CLAUDE_NOT_FOUND', async () => {
    const missing = join(root.path, 'no-such-claude');
    await rejectsCleanly(spawnerWith({ claudePath: missing }), makeConfig(workDir), (error: unknown) => {
      assert.ok(error instanceof ClaudeBinaryError);
      assert.equal(error.code, 'ERR_CLAUDE_NOT_FOUND');
      assert.equal(error.value, missing);
      return true;
    });
  });

  it('a claudePath without the executable bit is ERR_CLAUDE_NOT_EXECUTABLE', async () => {
    const plain = join(root.path, 'claude-not-executable.mjs');
    copyFileSync(fakeAgentPath('touch'), plain);
    chmodSync(plain, 0o644);
    await rejectsCleanly(spawnerWith({ claudePath: plain }), makeConfig(workDir), (error: unknown) => {
      assert.ok(error instanceof ClaudeBinaryError);
      assert.equal(error.code, 'ERR_CLAUDE_NOT_EXECUTABLE');
      assert.equal(error.value, plain);
      return true;
    });
  });

  it('a state folder that cannot be created is ERR_STATE_DIR_UNWRITABLE', async () => {
    // Root ignores permissions, but nothing can create a folder below a regular file.
    const file = join(root.path, 'afile');
    writeFileSync(file, '');
    const unwritable = join(file, 'state');
    await rejectsCleanly(
      spawnerWith({ stateDir: unwritable }),
      makeConfig(workDir),
      (error: unknown) => {
        assert.ok(error instanceof StateDirError);
        assert.equal(error.code, 'ERR_STATE_DIR_UNWRITABLE');
        assert.equal(error.value, unwritable);
        return true;
      },
      unwritable,
    );
  });

  it('an executable the OS cannot start is ERR_SPAWN_FAILED and its session folder is removed', async () => {
    const broken = join(root.path, 'claude-bad-interpreter');
    writeFileSync(broken, '#!/nonexistent/interpreter\n', { mode: 0o755 });
    await rejectsCleanly(spawnerWith({ claudePath: broken }), makeConfig(workDir), (error: unknown) => {
      assert.ok(error instanceof SpawnError);
      assert.equal(error.code, 'ERR_SPAWN_FAILED');
      return true;
    });
  });

  // Control: the same setup with valid input does run the agent and write a session folder,
  // so the checks above would notice if a refused session had started.
  it('control: a valid config starts the agent and writes a session folder', async () => {
    const spawner = spawnerWith();
    const { sessionId, completion } = await spawner.spawnSession(makeConfig(workDir));
    const status = await within(completion, 20_000, 'the session end');
    assert.equal(status.state, 'completed');
    assert.equal(existsSync(touchFile), true);
    assert.deepEqual(readdirSync(join(stateDir, 'sessions')), [sessionId]);
  });
});

describe('spawner option validation', () => {
  const invalidOptions: [keyof SpawnerOptions, unknown][] = [
    ['killGraceMs', -1],
    ['permissionMode', 'manual'],
    ['outputTailBytes', 10],
    ['maxHistory', 0],
    ['claudePath', ''],
  ];
  for (const [field, value] of invalidOptions) {
    it(`${field}: ${JSON.stringify(value)} is a ConfigError ERR_INVALID_OPTION from the constructor`, () => {
      assert.throws(
        () => new ClaudeSessionSpawner({ logger: silentLogger, [field]: value }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.code, 'ERR_INVALID_OPTION');
          assert.equal(error.field, field);
          assert.deepEqual(error.value, value);
          return true;
        },
      );
    });
  }
});
