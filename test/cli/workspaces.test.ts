// Workspaces from the command line, with the real CLI: `run` and `sessions` show the branch and its diffstat,
// `diff` prints the patch, `workspaces` lists kept ones and `workspaces prune` removes only safe ones.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bash, say, startModelServer, type ModelServer } from '../../src/testing/index.js';
import { cliEnv, startServe, vp, writeTask } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/fixtures.js';
import { git, makeRepo } from '../workspace/helpers.js';

describe('vp-daemon workspaces, diff, and the branch in run and sessions', () => {
  let server: ModelServer;
  let dir: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  let repo: string;
  before(async () => {
    server = await startModelServer({
      scenarios: [{ name: 'edit', steps: [bash("printf 'one\\ntwo\\n' > notes.txt && git add notes.txt && git commit -qm notes"), bash('echo draft > draft.txt'), say('Done.')] }],
    });
    dir = tempDir('vp-cli-ws-');
    mkdirSync(join(dir.path, 'charters'));
    env = cliEnv(server, dir.path);
    repo = makeRepo(dir.path);
  });
  after(async () => {
    await server.close();
    dir.remove();
  });

  it('run shows the branch; workspaces lists the kept one; diff prints its patch; prune removes it and keeps the branch', async () => {
    const state = join(dir.path, 'run-state');
    const task = writeTask(dir.path, 'kept', 'edit', `workspace: { repository: ${repo}, keep: always }`);
    const run = await vp(['run', task, '--state', state], env);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const branch = /^branch: (vp\/kept-[0-9a-f]{4}) \(2 files \+3 -0, 2 commits\)$/m.exec(run.stdout)?.[1];
    assert.ok(branch, run.stdout);
    assert.match(run.stdout, /^workspace kept: .*\/tree$/m);

    const listed = await vp(['workspaces', '--state', state], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${branch}\\s+claude-session-\\S+\\s+2 files \\+3 -0\\s+can be pruned`, 'm'));
    const sessionId = /claude-session-\S+/.exec(listed.stdout)?.[0] ?? '';

    const diff = await vp(['diff', sessionId, '--state', state], env);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^diff --git a\/draft.txt b\/draft.txt$/m);
    assert.match(diff.stdout, /^\+two$/m);
    assert.equal(diff.stdout, `${git(repo, ['diff', '--no-renames', '--binary', 'main', branch])}\n`);

    const pruned = await vp(['workspaces', 'prune', '--state', state], env);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /1 removed, 0 kept/);
    assert.match((await vp(['workspaces', '--state', state], env)).stdout, /^No workspaces under /);
    assert.equal(git(repo, ['rev-parse', '--verify', '--quiet', branch]).length, 40, 'the branch stays');
    const unknown = await vp(['workspaces', 'tidy', '--state', state], env);
    assert.equal(unknown.code, 2);
  });

  it('prune keeps a workspace with commits its branch lacks', async () => {
    const state = join(dir.path, 'unrecorded-state');
    const task = writeTask(dir.path, 'unrecorded', 'edit', `workspace: { repository: ${repo}, keep: always }`);
    const run = await vp(['run', task, '--state', state, '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const ended = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; workspace?: { path: string; branch: string } }).find((e) => e.event === 'ended');
    const ws = ended?.workspace;
    assert.ok(ws);
    writeFileSync(join(ws.path, 'late.txt'), 'late\n');
    git(ws.path, ['add', 'late.txt']);
    git(ws.path, ['commit', '-qm', 'late']);
    const pruned = await vp(['workspaces', 'prune', '--state', state], env);
    assert.match(pruned.stdout, /kept .*does not contain the workspace's head/);
    assert.ok(existsSync(join(ws.path, 'late.txt')));
  });

  it('a daemon refuses a bad workspace at submit; sessions shows the branch; diff works after the folder is gone', async () => {
    const state = join(dir.path, 'daemon-state');
    const daemon = await startServe(['--state', state, '--charters', join(dir.path, 'charters')], env);
    try {
      const bad = await vp(['submit', writeTask(dir.path, 'bad', 'edit', `workspace: { repository: ${dir.path} }`), '--state', state], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /ERR_WORKSPACE_NOT_A_REPOSITORY/);
      const submitted = await vp(['submit', writeTask(dir.path, 'served', 'edit', `workspace: { repository: ${repo}, keep: never }`), '--state', state], env);
      assert.equal(submitted.code, 0, submitted.stderr);
      let table = '';
      await waitFor(async () => {
        table = (await vp(['sessions', '--state', state], env)).stdout;
        return /completed/.test(table);
      }, 90_000, 'the session to complete');
      assert.match(table, /completed\s+completed\s+req-\S+\s+vp\/served-[0-9a-f]{4} \(2 files \+3 -0, 2 commits\)/);
      const sessionId = /claude-session-\S+/.exec(table)?.[0] ?? '';
      assert.match((await vp(['workspaces', '--state', state], env)).stdout, /^No workspaces/, 'keep: never removed it');
      const diff = await vp(['diff', sessionId, '--state', state], env);
      assert.equal(diff.code, 0, diff.stderr);
      assert.match(diff.stdout, /^\+draft$/m);
    } finally {
      daemon.child.kill('SIGTERM');
      await new Promise((r) => daemon.child.once('exit', r));
    }
  });
});
