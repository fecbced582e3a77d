// Sessions in git workspaces with the real CLI, sandboxed: each works on its own branch, its work (committed or
// not) is delivered as that branch, and the repository itself is never written by anything the session runs.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClaudeSessionConfig, ClaudeSessionSpawner } from '../../src/index.js';
import { bash, say, scenarioMarker } from '../../src/testing/index.js';
import { LEFTOVER_COMMIT_MESSAGE } from '../../src/workspace/index.js';
import { makeConfig } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';
import { git, makeRepo, repoSnapshot } from '../workspace/helpers.js';

describe('sessions in git workspaces, with the real CLI', () => {
  let rig: RealCliRig;
  let parent: string;
  let repo: string;
  let spawner: ClaudeSessionSpawner;

  before(async () => {
    rig = await startRig();
    parent = mkdtempSync(join(tmpdir(), 'vp-ws-session-'));
    repo = makeRepo(parent);
    spawner = rig.spawner({ stateDir: join(parent, 'state') });
  });
  after(async () => {
    await rig.close();
    rmSync(parent, { recursive: true, force: true });
  });

  const config = (scenario: string, workspace: ClaudeSessionConfig['workspace'] = {}): ClaudeSessionConfig =>
    makeConfig(repo, { taskContext: { taskId: `WS-${scenario}`, description: `Go ${scenarioMarker(scenario)}`, priority: 'medium' }, workspace });

  it('delivers commits and uncommitted work as a branch, by the charter identity, and leaves the repository as it was', async () => {
    rig.server.addScenario({
      name: 'work',
      steps: [
        bash('echo planned > plan.txt && git add plan.txt && git commit -q -m "Add the plan" && echo committed'),
        bash('echo draft > draft.txt && echo two >> src/app.txt && pwd'),
        say('done'),
      ],
    });
    const before = repoSnapshot(repo);
    const { status, completion } = await spawner.spawnSession(config('work'));
    assert.ok(status.workspace, 'the status names the workspace from the start');
    assert.match(status.workspace.branch, /^vp\/WS-work-[0-9a-f]{4}$/);
    const final = await completion;
    assert.equal(final.state, 'completed', final.errorMessage);
    const ws = final.workspace;
    assert.ok(ws);
    assert.equal(ws.error, undefined);
    assert.equal(ws.commits, 2);
    assert.deepEqual(ws.filesChanged, ['draft.txt', 'plan.txt', 'src/app.txt']);
    assert.equal(ws.insertions, 3);
    assert.equal(ws.deletions, 0);
    assert.equal(ws.kept, false, 'a completed session keeps no folder (keep: on-failure)');
    assert.equal(existsSync(ws.path), false);
    // The branch is in the repository, with both commits, as the charter identity.
    assert.equal(git(repo, ['rev-parse', `refs/heads/${ws.branch}`]), ws.headCommit);
    assert.deepEqual(git(repo, ['log', '--format=%s|%an <%ae>|%cn', `${ws.baseCommit}..${ws.branch}`]).split('\n'), [
      `${LEFTOVER_COMMIT_MESSAGE}|Test VP <vp@example.com>|Test VP`,
      'Add the plan|Test VP <vp@example.com>|Test VP',
    ]);
    assert.equal(git(repo, ['show', `${ws.branch}:draft.txt`]), 'draft');
    // Nothing else of the repository changed: its tree, index, HEAD, config and other refs.
    const now = repoSnapshot(repo);
    assert.deepEqual({ ...now, refs: now.refs.split('\n').filter((line) => !line.startsWith(`refs/heads/${ws.branch} `)).join('\n') }, before);
  });

  it('gives the session no way to write the repository: its files, its branches and its objects stay', async () => {
    rig.server.addScenario({
      name: 'escape',
      steps: [
        bash(`echo pwned > ${repo}/README.md; git -C ${repo} branch evil; touch ${repo}/.git/objects/pwned; git --git-dir=${repo}/.git update-ref refs/heads/main HEAD~0; echo tried`),
        say('done'),
      ],
    });
    const before = repoSnapshot(repo);
    const final = await (await spawner.spawnSession(config('escape'))).completion;
    assert.equal(final.state, 'completed', final.errorMessage);
    const now = repoSnapshot(repo);
    assert.equal(now.status, before.status);
    assert.equal(now.head, before.head);
    assert.equal(existsSync(join(repo, '.git', 'objects', 'pwned')), false);
    assert.deepEqual(now.refs.split('\n').filter((line) => !line.startsWith(`refs/heads/${final.workspace?.branch ?? '?'} `)), before.refs.split('\n'));
  });

  it('runs three sessions of one repository at once, each on its own branch', async () => {
    for (const n of [1, 2, 3]) rig.server.addScenario({ name: `many-${n}`, steps: [bash(`echo ${n} > shared.txt && echo ok`), say('done')] });
    const runs = await Promise.all([1, 2, 3].map((n) => spawner.spawnSession(config(`many-${n}`, { keep: 'always' }))));
    const finals = await Promise.all(runs.map((r) => r.completion));
    const branches = finals.map((f) => f.workspace?.branch ?? '');
    assert.equal(new Set(branches).size, 3);
    finals.forEach((final, i) => {
      assert.equal(final.state, 'completed', final.errorMessage);
      assert.equal(git(repo, ['show', `${branches[i]}:shared.txt`]), String(i + 1));
      assert.equal(final.workspace?.kept, true, 'keep: always');
      assert.ok(existsSync(final.workspace?.path ?? ''));
    });
    assert.equal(existsSync(join(repo, 'shared.txt')), false);
    // Forgetting finished sessions never touches their workspaces.
    assert.ok(spawner.cleanupCompletedSessions() >= 3);
    for (const final of finals) assert.ok(existsSync(final.workspace?.path ?? ''), 'kept after cleanupCompletedSessions');
  });

  it('continues in a workspace whose folder was removed: its files and commits come back from the branch', async () => {
    rig.server.addScenario({ name: 'first', steps: [bash('echo first > first.txt && echo ok'), say('done')] });
    const first = await (await spawner.spawnSession(config('first', { keep: 'never' }))).completion;
    const ws = first.workspace;
    assert.ok(ws && !ws.kept);
    rig.server.addScenario({ name: 'second', steps: [bash('cat first.txt && echo second > second.txt'), say('done')] });
    const again = config('second', { repository: ws.repository, branch: ws.branch, baseRef: ws.baseCommit, keep: 'always', path: ws.path });
    const second = await (await spawner.spawnSession(again)).completion;
    assert.equal(second.state, 'completed', second.errorMessage);
    assert.equal(second.workspace?.path, ws.path, 'the same folder');
    assert.equal(second.workspace?.commits, 2);
    assert.deepEqual(second.workspace?.filesChanged, ['first.txt', 'second.txt']);
    const results = rig.server.modelCalls(second.claudeSessionId).at(-1)?.text ?? '';
    assert.ok(results.includes('first'), 'the session saw the file of the first attempt');
  });

  it('refuses bad workspaces with typed errors before anything runs', async () => {
    const notRepo = mkdtempSync(join(tmpdir(), 'vp-not-repo-'));
    try {
      const cases: [ClaudeSessionConfig, string][] = [
        [makeConfig(notRepo, { workspace: {} }), 'ERR_WORKSPACE_NOT_A_REPOSITORY'],
        [config('bad', { baseRef: 'no-such-ref' }), 'ERR_WORKSPACE_BASE_REF'],
        [config('bad', { branch: 'main' }), 'ERR_WORKSPACE_BRANCH_EXISTS'],
        [config('bad', { branch: 'bad..name' }), 'ERR_WORKSPACE_BRANCH_INVALID'],
      ];
      for (const [bad, code] of cases) {
        await assert.rejects(spawner.spawnSession(bad), (error: { code?: string; field?: string }) => error.code === code && typeof error.field === 'string');
      }
      assert.equal(spawner.getActiveSessions().length, 0);
    } finally {
      rmSync(notRepo, { recursive: true, force: true });
    }
  });
});
