// The session writing tree/ and git/ is untrusted: nothing it plants runs, or takes effect, when the supervisor
// finalizes, checks, diffs or removes its workspace. Each attack is first shown to work on plain git.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { WorkspaceError } from '../../src/session/errors.js';
import { createWorkspace, finalizeWorkspace, gitIdentityEnv, resolveWorkspaceSpec, workspaceDiff, workspaceSafety, type Workspace } from '../../src/workspace/index.js';
import { entries, git, makeRepo, repoSnapshot, sessionGit, tempDir, writeFiles } from './helpers.js';

const identity = { name: 'Engineering VP', email: 'vp@example.com' };

async function setup(t: TestContext): Promise<{ tmp: string; repo: string; ws: Workspace; marker: (name: string) => string }> {
  const tmp = tempDir(t);
  const repo = makeRepo(tmp);
  const ws = await createWorkspace(resolveWorkspaceSpec({ repository: repo, branch: 'vp/attacked' }, { workingDirectory: repo, taskId: 'T' }), { root: join(tmp, 'ws') });
  mkdirSync(join(tmp, 'markers'));
  return { tmp, repo, ws, marker: (name) => join(tmp, 'markers', name) };
}

const markers = (tmp: string): string[] => entries(join(tmp, 'markers'));

function script(path: string, marker: string): string {
  writeFileSync(path, `#!/bin/sh\ntouch '${marker}'\nexit 0\n`);
  chmodSync(path, 0o755);
  return path;
}

void describe('finalize with a hostile workspace', () => {
  void it('planted hooks (git/hooks and a core.hooksPath) do not run', async (t) => {
    const { tmp, ws, marker } = await setup(t);
    mkdirSync(join(ws.gitDir, 'hooks'), { recursive: true });
    for (const hook of ['pre-commit', 'commit-msg', 'post-commit', 'reference-transaction', 'post-index-change', 'pre-auto-gc', 'post-checkout']) {
      script(join(ws.gitDir, 'hooks', hook), marker(`hook-${hook}`));
    }
    // Control: plain git in the tree runs them.
    writeFiles(ws.path, { 'control.txt': 'x\n' });
    sessionGit(ws.path, ['add', '.']);
    sessionGit(ws.path, ['commit', '-qm', 'control'], gitIdentityEnv(identity));
    assert.ok(markers(tmp).includes('hook-pre-commit'), `control: ${markers(tmp).join(', ')}`);
    rmSync(join(tmp, 'markers'), { recursive: true });
    mkdirSync(join(tmp, 'markers'));
    const elsewhere = join(tmp, 'elsewhere-hooks');
    mkdirSync(elsewhere);
    script(join(elsewhere, 'reference-transaction'), marker('hookspath'));
    sessionGit(ws.path, ['config', 'core.hooksPath', elsewhere]);
    writeFiles(ws.path, { 'leftover.txt': 'left\n' });

    const status = await finalizeWorkspace(ws, identity);
    assert.equal(status.commits, 2);
    await workspaceSafety(ws);
    assert.deepEqual(markers(tmp), []);
    assert.deepEqual(entries(join(ws.gitDir, 'hooks')), []);
    assert.ok(existsSync(join(elsewhere, 'reference-transaction')), 'a folder outside is not emptied');
  });

  void it('config that runs programs (fsmonitor, filters, textconv, include.path, config.worktree) is replaced', async (t) => {
    const { tmp, ws, marker } = await setup(t);
    const included = join(tmp, 'included.cfg');
    writeFileSync(included, `[core]\n\tfsmonitor = touch '${marker('include')}'; false\n`);
    sessionGit(ws.path, ['config', 'core.fsmonitor', `touch '${marker('fsmonitor')}'; false`]);
    // Control: plain git status in the tree runs it.
    sessionGit(ws.path, ['status', '--porcelain']);
    assert.deepEqual(markers(tmp), ['fsmonitor']);
    unlinkSync(marker('fsmonitor'));
    sessionGit(ws.path, ['config', 'include.path', included]);
    sessionGit(ws.path, ['config', 'filter.evil.clean', `touch '${marker('filter')}'; cat`]);
    sessionGit(ws.path, ['config', 'diff.evil.textconv', `touch '${marker('textconv')}'; cat`]);
    sessionGit(ws.path, ['config', 'diff.external', script(join(tmp, 'ext-diff.sh'), marker('external'))]);
    sessionGit(ws.path, ['config', 'extensions.worktreeConfig', 'true']);
    writeFileSync(join(ws.gitDir, 'config.worktree'), `[core]\n\tfsmonitor = touch '${marker('worktree-config')}'; false\n`);
    mkdirSync(join(ws.gitDir, 'info'), { recursive: true });
    writeFileSync(join(ws.gitDir, 'info/attributes'), '* filter=evil diff=evil\n');
    writeFiles(ws.path, { '.gitattributes': '*.txt filter=evil diff=evil\n', 'new.txt': 'new\n', 'README.md': 'changed\n' });

    await workspaceDiff(ws);
    const status = await finalizeWorkspace(ws, identity);
    await workspaceDiff({ repository: ws.repository, baseCommit: ws.baseCommit, branch: ws.branch });
    await workspaceSafety(ws);
    assert.deepEqual(markers(tmp), []);
    assert.deepEqual(status.filesChanged, ['.gitattributes', 'README.md', 'new.txt']);
    assert.doesNotMatch(readFileSync(join(ws.gitDir, 'config'), 'utf8'), /fsmonitor|include|filter|textconv|external|worktreeConfig/);
    assert.equal(existsSync(join(ws.gitDir, 'config.worktree')), false);
    assert.equal(existsSync(join(ws.gitDir, 'info/attributes')), false);
  });

  void it('a commondir pointing at the repository takes no effect', async (t) => {
    const { repo, ws } = await setup(t);
    writeFileSync(join(ws.gitDir, 'commondir'), `${join(repo, '.git')}\n`);
    // Control: with it, git in the workspace sees the repository's refs (its main branch).
    assert.equal(git(ws.path, ['rev-parse', '--verify', '-q', 'refs/heads/main']), git(repo, ['rev-parse', 'main']));
    writeFiles(ws.path, { 'work.txt': 'work\n' });
    const before = repoSnapshot(repo);
    const status = await finalizeWorkspace(ws, identity);
    assert.equal(existsSync(join(ws.gitDir, 'commondir')), false);
    assert.deepEqual(status.filesChanged, ['work.txt']);
    assert.deepEqual({ ...repoSnapshot(repo), refs: before.refs }, before);
    assert.equal(git(repo, ['rev-parse', 'main']), before.head);
  });

  void it('tree/.git rewritten to point at the repository is ignored: nothing is committed there', async (t) => {
    const { repo, ws } = await setup(t);
    writeFileSync(join(ws.path, '.git'), `gitdir: ${join(repo, '.git')}\n`);
    writeFiles(ws.path, { 'work.txt': 'work\n' });
    const before = repoSnapshot(repo);
    const status = await finalizeWorkspace(ws, identity);
    assert.deepEqual(status.filesChanged, ['work.txt']);
    assert.equal(git(repo, ['rev-parse', 'main']), before.head);
    assert.deepEqual({ ...repoSnapshot(repo), refs: before.refs }, before);
    assert.equal(readFileSync(join(ws.path, '.git'), 'utf8'), `gitdir: ${ws.gitDir}\n`);
  });

  void it('links out of the git dir are removed, never written through', async (t) => {
    const { tmp, ws } = await setup(t);
    const victim = join(tmp, 'victim.cfg');
    writeFileSync(victim, 'precious\n');
    const victimDir = join(tmp, 'victim-dir');
    mkdirSync(victimDir);
    writeFileSync(join(victimDir, 'keep.txt'), 'keep\n');
    unlinkSync(join(ws.gitDir, 'config'));
    symlinkSync(victim, join(ws.gitDir, 'config'));
    rmSync(join(ws.gitDir, 'hooks'), { recursive: true });
    symlinkSync(victimDir, join(ws.gitDir, 'hooks'));
    rmSync(join(ws.gitDir, 'objects/info'), { recursive: true });
    symlinkSync(victimDir, join(ws.gitDir, 'objects/info'));
    writeFiles(ws.path, { 'work.txt': 'work\n' });
    const status = await finalizeWorkspace(ws, identity);
    assert.deepEqual(status.filesChanged, ['work.txt']);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.deepEqual(entries(victimDir), ['keep.txt']);
  });

  void it('a git dir or tree replaced by a link is refused (ERR_WORKSPACE_TAMPERED), the target untouched', async (t) => {
    const { repo, ws } = await setup(t);
    const repoConfig = readFileSync(join(repo, '.git/config'), 'utf8');
    rmSync(ws.gitDir, { recursive: true });
    symlinkSync(join(repo, '.git'), ws.gitDir);
    await assert.rejects(finalizeWorkspace(ws, identity), (e: unknown) => e instanceof WorkspaceError && e.code === 'ERR_WORKSPACE_TAMPERED');
    assert.equal(readFileSync(join(repo, '.git/config'), 'utf8'), repoConfig);
    assert.deepEqual(await workspaceSafety(ws).then((s) => s.safe), false);
    // A workspace object naming folders other than tree/ and git/ of one folder is refused too.
    await assert.rejects(finalizeWorkspace({ ...ws, gitDir: join(repo, '.git') }, identity), { code: 'ERR_WORKSPACE_TAMPERED' });
  });

  void it('an embedded repository with its own fsmonitor in the tree does not run it', async (t) => {
    const { tmp, ws, marker } = await setup(t);
    const nested = join(ws.path, 'vendor/lib');
    mkdirSync(nested, { recursive: true });
    sessionGit(nested, ['init', '--quiet']);
    writeFiles(nested, { 'lib.txt': 'lib\n' });
    sessionGit(nested, ['add', '.']);
    sessionGit(nested, ['commit', '-qm', 'lib'], gitIdentityEnv(identity));
    sessionGit(nested, ['config', 'core.fsmonitor', `touch '${marker('nested')}'; false`]);
    writeFiles(nested, { 'lib.txt': 'changed\n' });
    await finalizeWorkspace(ws, identity);
    await workspaceSafety(ws);
    assert.deepEqual(markers(tmp), []);
  });

  void it('a commit crafted to attack a checkout is not delivered: a .git path, a hostile .gitmodules (fsck on fetch)', async (t) => {
    const { repo, ws } = await setup(t);
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: ws.path, input: 'evil\n', encoding: 'utf8' }).trim();
    const hooks = execFileSync('git', ['mktree'], { cwd: ws.path, input: `100755 blob ${blob}\tpost-checkout\n`, encoding: 'utf8' }).trim();
    const dotGit = execFileSync('git', ['mktree'], { cwd: ws.path, input: `040000 tree ${hooks}\thooks\n`, encoding: 'utf8' }).trim();
    const tree = execFileSync('git', ['mktree'], { cwd: ws.path, input: `040000 tree ${dotGit}\t.git\n`, encoding: 'utf8' }).trim();
    const evil = sessionGit(ws.path, ['commit-tree', tree, '-p', 'HEAD', '-m', 'evil'], gitIdentityEnv(identity));
    sessionGit(ws.path, ['update-ref', 'refs/heads/vp/attacked', evil]);
    await assert.rejects(finalizeWorkspace(ws, identity), (e: unknown) => e instanceof WorkspaceError && /invalid path '\.git/.test((e.cause as Error).message));
    assert.throws(() => git(repo, ['rev-parse', '--verify', 'refs/heads/vp/attacked']));

    // A submodule name that climbs out of .git/modules: git's checkout accepts the file, the fetch's fsck refuses it.
    sessionGit(ws.path, ['update-ref', 'refs/heads/vp/attacked', ws.baseCommit]);
    writeFiles(ws.path, { '.gitmodules': '[submodule "../../../hooks"]\n\tpath = x\n\turl = ./x\n' });
    const error = await finalizeWorkspace(ws, identity).then(() => assert.fail('expected a refusal'), (e: unknown) => e as WorkspaceError);
    assert.equal(error.code, 'ERR_WORKSPACE_DELIVER');
    assert.match((error.cause as Error).message, /gitmodulesName|fsck/);
    assert.throws(() => git(repo, ['rev-parse', '--verify', 'refs/heads/vp/attacked']));
  });

  void it("GIT_* variables in the supervisor's own environment are not passed on", async (t) => {
    const { tmp, repo, ws, marker } = await setup(t);
    const saved = { ...process.env };
    t.after(() => {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    });
    Object.assign(process.env, {
      GIT_DIR: join(repo, '.git'),
      GIT_WORK_TREE: repo,
      GIT_INDEX_FILE: join(repo, '.git/index'),
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'core.fsmonitor',
      GIT_CONFIG_VALUE_0: `touch '${marker('env')}'; false`,
      GIT_AUTHOR_NAME: 'Not The Identity',
    });
    writeFiles(ws.path, { 'work.txt': 'work\n' });
    const before = repoSnapshot(repo);
    const status = await finalizeWorkspace(ws, identity);
    assert.deepEqual(markers(tmp), []);
    assert.deepEqual(status.filesChanged, ['work.txt']);
    for (const key of Object.keys(process.env)) if (key.startsWith('GIT_')) delete process.env[key];
    assert.equal(git(repo, ['log', '-1', '--format=%an', 'vp/attacked']), 'Engineering VP');
    assert.deepEqual({ ...repoSnapshot(repo), refs: before.refs }, before);
  });
});
