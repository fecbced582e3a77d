// The spec's usage examples, run as a user would run them (only their import lines differ from the spec).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startModelServer, type ModelServer } from '../src/testing/index.js';
import { tempDir } from './helpers/fixtures.js';

const run = promisify(execFile);
// The spec's example works in this folder; it is created for the test when missing and removed after.
const SPEC_PROJECT = '/path/to/project';

describe('spec usage examples', () => {
  let server: ModelServer;
  let configDir: ReturnType<typeof tempDir>;
  // The first folder this test created (mkdirSync returns it), removed after.
  let created: string | undefined;

  before(async () => {
    server = await startModelServer();
    configDir = tempDir('vp-example-config-');
    if (!existsSync(SPEC_PROJECT)) created = mkdirSync(SPEC_PROJECT, { recursive: true });
  });
  after(async () => {
    await server.close();
    configDir.remove();
    if (created !== undefined) rmSync(created, { recursive: true, force: true });
    else rmSync(`${SPEC_PROJECT}/.vp-daemon`, { recursive: true, force: true });
  });

  it('runs the ClaudeSessionSpawner example to completion', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/spawner-usage.ts'], {
      env: { ...process.env, ...server.env, HOME: configDir.path, CLAUDE_CONFIG_DIR: configDir.path, VP_DAEMON_LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    assert.match(stdout, /Session claude-session-[0-9a-f-]+ started with PID \d+/);
    assert.match(stdout, /Session completed with state: completed/);
    assert.match(stdout, /Commands executed: 0/);
    assert.equal(server.modelCalls().length > 0, true);
  });

  it('runs the SessionPool example, and an idle warm process does not keep it from exiting', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/pool-usage.ts'], {
      env: { ...process.env, ...server.env, HOME: configDir.path, CLAUDE_CONFIG_DIR: configDir.path, VP_DAEMON_LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    assert.match(stdout, /Session claude-session-[0-9a-f-]+ allocated/);
    assert.match(stdout, /Active sessions: 1\/5/);
    assert.match(stdout, /Session completed: completed/);
  });
});
