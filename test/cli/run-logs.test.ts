// `vp-daemon run` logs through the same redacting logger as `serve`: a session's secrets stay out of its log.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { say, startModelServer, type ModelServer } from '../../src/testing/index.js';
import { cliEnv, vp, writeTask } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';

const AWS_SECRET = 'aws-secret-value-0123456789';

describe('vp-daemon run: logs', () => {
  let server: ModelServer;
  let dir: ReturnType<typeof tempDir>;
  before(async () => {
    server = await startModelServer({ scenarios: [{ name: 'quick', steps: [say('Quick answer.')] }] });
    dir = tempDir('vp-run-logs-');
    mkdirSync(join(dir.path, 'charters'));
  });
  after(async () => {
    await server.close();
    dir.remove();
  });

  it('hides the values of secret-looking variables of the session environment, and shows the rest', async () => {
    const task = writeTask(dir.path, 'secret-task', 'quick');
    // Both are inherited by the session (ANTHROPIC_API_KEY and AWS_* are on the default allow-list).
    const env: NodeJS.ProcessEnv = { ...cliEnv(server, dir.path), VP_DAEMON_LOG_LEVEL: 'debug', AWS_SECRET_ACCESS_KEY: AWS_SECRET };
    const apiKey = env['ANTHROPIC_API_KEY'] ?? '';
    assert.ok(apiKey.length > 8);
    const { code, stdout, stderr } = await vp(['run', task, '--json', '--state', join(dir.path, 'state')], env);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /"event":"ended"/);
    const lines = stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg?: string; name?: string; env?: Record<string, string> });
    const started = lines.find((line) => line.msg === 'session started');
    assert.ok(started?.env, `no 'session started' line in:\n${stderr}`);
    assert.equal(started.name, 'vp-daemon', 'the logger serve uses');
    assert.equal(started.env['ANTHROPIC_API_KEY'], '[redacted]');
    assert.equal(started.env['AWS_SECRET_ACCESS_KEY'], '[redacted]');
    assert.equal(started.env['ANTHROPIC_BASE_URL'], server.url);
    assert.match(started.env['VP_DAEMON_SESSION'] ?? '', /^claude-session-/);
    assert.equal(stderr.includes(apiKey), false, 'the API key is not in the log');
    assert.equal(stderr.includes(AWS_SECRET), false, 'the AWS secret is not in the log');
  });
});
