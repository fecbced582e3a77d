// A daemon killed with SIGKILL in the middle of running and queued work, started again, loses nothing.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findSessionProcesses } from '../../src/index.js';
import { DaemonStore } from '../../src/store/index.js';
import { bash, say, startModelServer, type ModelServer } from '../../src/testing/index.js';
import { cliEnv, startServe, vp, writeTask } from '../helpers/cli.js';
import { isAlive, tempDir, waitFor } from '../helpers/fixtures.js';

describe('daemon restart after SIGKILL', () => {
  let server: ModelServer;
  let dir: ReturnType<typeof tempDir>;
  before(async () => {
    server = await startModelServer({
      scenarios: [
        { name: 'long', steps: [bash('echo started-long && sleep 60'), say('Long task resumed and done.')] },
        { name: 'queued', steps: [say('Queued task done.')] },
      ],
    });
    dir = tempDir('vp-restart-');
    mkdirSync(join(dir.path, 'charters'));
  });
  after(async () => {
    await server.close();
    dir.remove();
  });

  // Unsandboxed, the session's processes outlive the daemon and the next start stops them; sandboxed, bubblewrap's
  // --die-with-parent takes them down with the daemon. Either way the conversation is resumed on restart.
  const cases = [
    { isolation: 'none', name: 'stops leftover processes, resumes the running session and runs the queued request' },
    { isolation: 'sandbox', name: 'a sandboxed session dies with the daemon and is resumed on restart' },
  ] as const;
  for (const { isolation, name } of cases) it(name, async (t) => {
    const env = cliEnv(server, dir.path);
    const state = join(dir.path, `state-${isolation}`);
    const args = ['--state', state, '--charters', join(dir.path, 'charters'), '--max-sessions', '1'];
    const first = await startServe(args, env);
    // A test that fails before the planned SIGKILL must not leave this daemon running.
    t.after(() => void (first.child.exitCode === null && first.child.signalCode === null && first.child.kill('SIGKILL')));
    const long = await vp(['submit', writeTask(dir.path, 'long', 'long', `isolation: ${isolation}`), '--state', state, '--json'], env);
    const queued = await vp(['submit', writeTask(dir.path, 'queued', 'queued'), '--state', state, '--json'], env);
    assert.equal(long.code, 0, long.stderr);
    assert.equal(queued.code, 0, queued.stderr);
    const longId = (JSON.parse(long.stdout) as { requestId: string }).requestId;
    const queuedId = (JSON.parse(queued.stdout) as { requestId: string }).requestId;

    // Wait until the long task's tool runs, then kill the daemon outright.
    let sessionId = '';
    await waitFor(async () => {
      const listed = await vp(['sessions', '--state', state, '--json'], env);
      sessionId = listed.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { sessionId: string })[0]?.sessionId ?? '';
      return sessionId !== '' && (await findSessionProcesses(sessionId)).length >= 2;
    }, 60_000, 'the long session to run its tool');
    const leftovers = await findSessionProcesses(sessionId);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    if (isolation === 'none') assert.ok(leftovers.some(isAlive), 'the session outlived the killed daemon');
    else await waitFor(() => leftovers.every((pid) => !isAlive(pid)), 10_000, 'the sandbox to die with the daemon');

    const second = await startServe(args, env);
    try {
      await waitFor(() => leftovers.every((pid) => !isAlive(pid)), 20_000, 'the leftover processes to be stopped');
      await waitFor(async () => {
        const listed = await vp(['sessions', '--state', state, '--json'], env);
        const rows = listed.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { state: string; requestId?: string });
        return rows.filter((r) => r.state === 'completed').length >= 2;
      }, 90_000, 'both requests to complete');
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }

    let conversation: string | undefined;
    const store = DaemonStore.open(state);
    try {
      assert.equal(store.getRequest(longId)?.state, 'completed');
      assert.equal(store.getRequest(queuedId)?.state, 'completed');
      const longSessions = store.listSessions({ requestId: longId });
      assert.ok(longSessions.length >= 2, 'the interrupted session and its resumption');
      const interrupted = longSessions.find((s) => s.sessionId === sessionId);
      assert.equal(interrupted?.outcome, 'daemon_restart');
      const resumed = longSessions.find((s) => s.sessionId !== sessionId && s.state === 'completed');
      assert.equal(resumed?.claudeSessionId, interrupted?.claudeSessionId, 'the Claude conversation was resumed');
      conversation = interrupted?.claudeSessionId;
    } finally {
      store.close();
    }
    const resumedCall = server.modelCalls(conversation).find((c) => c.text.includes('interrupted') && c.text.includes('Do long'));
    assert.ok(resumedCall, 'the resumed request carried the earlier conversation and the resume message');
  });
});
