// A daemon killed with SIGKILL while a sandboxed session works in its workspace: the next start resumes the
// session in the same workspace, with the files and commits of the interrupted attempt.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DaemonStore } from '../../src/store/index.js';
import { bash, say, startModelServer, type ModelServer } from '../../src/testing/index.js';
import type { WorkspaceStatus } from '../../src/index.js';
import { cliEnv, startServe, vp, writeTask } from '../helpers/cli.js';
import { waitForCommand } from '../helpers/crash.js';
import { tempDir, waitFor } from '../helpers/fixtures.js';
import { git, makeRepo } from '../workspace/helpers.js';

describe('daemon restart after SIGKILL, in a workspace', () => {
  let server: ModelServer;
  let dir: ReturnType<typeof tempDir>;
  before(async () => {
    server = await startModelServer({
      scenarios: [
        {
          name: 'ws-long',
          // The resumed conversation reaches a step that writes second.txt whichever way the CLI replays the
          // interrupted turn.
          steps: [
            bash('echo one > first.txt && git add first.txt && git commit -qm first && echo wip > wip.txt && echo started && sleep 61'),
            bash('echo two > second.txt'),
            bash('echo two > second.txt'),
            say('Resumed in the workspace and done.'),
          ],
        },
      ],
    });
    dir = tempDir('vp-restart-ws-');
    mkdirSync(join(dir.path, 'charters'));
  });
  after(async () => {
    await server.close();
    dir.remove();
  });

  it('resumes the interrupted session in the same workspace; its branch holds both attempts', async (t) => {
    const env = cliEnv(server, dir.path);
    const repo = makeRepo(dir.path);
    const main = git(repo, ['rev-parse', 'main']);
    const state = join(dir.path, 'state');
    const args = ['--state', state, '--charters', join(dir.path, 'charters'), '--max-sessions', '1'];
    const first = await startServe(args, env);
    t.after(() => void (first.child.exitCode === null && first.child.signalCode === null && first.child.kill('SIGKILL')));
    const submitted = await vp(['submit', writeTask(dir.path, 'ws-long', 'ws-long', `workspace: { repository: ${repo} }`), '--state', state, '--json'], env);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { requestId } = JSON.parse(submitted.stdout) as { requestId: string };

    let live: { sessionId: string; workspace?: WorkspaceStatus } | undefined;
    await waitFor(async () => {
      const listed = await vp(['sessions', '--state', state, '--json'], env);
      live = listed.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as NonNullable<typeof live>)[0];
      return live?.workspace !== undefined;
    }, 60_000, 'the session to start in its workspace');
    const sessionId = live?.sessionId ?? '';
    const path = live?.workspace?.path ?? '';
    await waitForCommand(sessionId, 'sleep 61');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    assert.equal(readFileSync(join(path, 'wip.txt'), 'utf8'), 'wip\n', 'the interrupted work is in the folder');

    const second = await startServe(args, env);
    try {
      await waitFor(async () => {
        const listed = await vp(['sessions', '--state', state, '--json'], env);
        return /"state":"completed"/.test(listed.stdout);
      }, 90_000, 'the resumed session to complete');
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }

    const store = DaemonStore.open(state);
    let ws: WorkspaceStatus | undefined;
    try {
      assert.equal(store.getRequest(requestId)?.state, 'completed');
      const sessions = store.listSessions({ requestId });
      const resumed = sessions.find((s) => s.sessionId !== sessionId && s.state === 'completed');
      assert.equal(store.getSession(sessionId)?.outcome, 'daemon_restart');
      ws = (resumed?.status as { workspace?: WorkspaceStatus } | undefined)?.workspace;
    } finally {
      store.close();
    }
    assert.ok(ws);
    assert.equal(ws.path, path, 'the same workspace folder');
    assert.deepEqual(ws.filesChanged, ['first.txt', 'second.txt', 'wip.txt']);
    assert.equal(git(repo, ['show', `${ws.branch}:first.txt`]), 'one');
    assert.equal(git(repo, ['show', `${ws.branch}:wip.txt`]), 'wip');
    assert.equal(git(repo, ['rev-parse', 'main']), main, 'main did not move');
    assert.equal(git(repo, ['status', '--porcelain']), '', "the repository's tree is untouched");
    assert.equal(existsSync(path), false, 'completed (keep: on-failure): the folder went once the branch had everything');
  });
});
