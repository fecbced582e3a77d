// The `vp-daemon` command as a user runs it: child processes against the offline model server.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bash, say, startModelServer, type ModelServer } from '../../src/testing/index.js';
import { cliEnv, startServe, vp, writeTask } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/fixtures.js';

describe('vp-daemon command', () => {
  let server: ModelServer;
  let dir: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    server = await startModelServer({
      scenarios: [
        { name: 'hello', steps: [bash('echo hello-from-run'), say('All done.')] },
        { name: 'quick', steps: [say('Quick answer.')] },
      ],
    });
    dir = tempDir('vp-cli-');
    mkdirSync(join(dir.path, 'charters'));
    env = cliEnv(server, dir.path);
  });
  after(async () => {
    await server.close();
    dir.remove();
  });

  it('run: executes a task file in the foreground and exits 0 on completion', async () => {
    const task = writeTask(dir.path, 'run-task', 'hello');
    const { code, stdout } = await vp(['run', task, '--json', '--state', join(dir.path, 'run-state')], env);
    assert.equal(code, 0);
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; state?: string; tool?: string });
    assert.ok(events.some((e) => e.event === 'tool' && e.tool === 'Bash'));
    assert.equal(events.at(-1)?.event, 'ended');
    assert.equal(events.at(-1)?.state, 'completed');
  });

  it('refuses bad input with a clear message and a non-zero exit', async () => {
    const missing = await vp(['run', join(dir.path, 'nope.yaml')], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml/);

    const broken = join(dir.path, 'broken.yaml');
    writeFileSync(broken, 'task:\n  id: x\n  description: [unclosed\n');
    const invalid = await vp(['run', broken], env);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /broken\.yaml:\d+/);

    const nowhere = writeTask(dir.path, 'nowhere', 'quick', '');
    writeFileSync(nowhere, `task: { id: nowhere, description: x }\ncharter: engineer\nworkingDirectory: ./does-not-exist\n`);
    const workdir = await vp(['run', nowhere], env);
    assert.equal(workdir.code, 2);
    assert.match(workdir.stderr, /does-not-exist/);

    const unknown = await vp(['frobnicate'], env);
    assert.equal(unknown.code, 2);
    const help = await vp(['submit', '--help'], env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Example/);
  });

  it('serve, submit, sessions, status and logs against a running daemon; a second daemon is refused', async () => {
    const state = join(dir.path, 'daemon-state');
    const daemon = await startServe(['--state', state, '--charters', join(dir.path, 'charters')], env);
    try {
      const second = await vp(['serve', '--port', '0', '--state', state], env);
      assert.equal(second.code, 1);
      assert.match(second.stderr, /ERR_DAEMON_RUNNING/);
      const task = writeTask(dir.path, 'submitted', 'quick');
      const submitted = await vp(['submit', task, '--state', state, '--json'], env);
      assert.equal(submitted.code, 0, submitted.stderr);
      const { requestId } = JSON.parse(submitted.stdout) as { requestId: string };
      assert.ok(requestId);

      let sessions: { sessionId: string; state: string }[] = [];
      await waitFor(async () => {
        const listed = await vp(['sessions', '--state', state, '--json'], env);
        sessions = listed.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { sessionId: string; state: string });
        return sessions.some((s) => s.state === 'completed');
      }, 60_000, 'the submitted session to complete');
      const status = await vp(['status', '--state', state], env);
      assert.equal(status.code, 0);
      assert.match(status.stdout, /active \d+\/5/);

      const logs = await vp(['logs', sessions[0]?.sessionId ?? '', '--state', state], env);
      assert.equal(logs.code, 0);
      assert.match(logs.stdout, /Quick answer/);
      const unknown = await vp(['logs', 'claude-session-unknown', '--state', state], env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /ERR_SESSION_NOT_FOUND|404/);
    } finally {
      daemon.child.kill('SIGTERM');
      await new Promise((r) => daemon.child.once('exit', r));
    }
  });
});
