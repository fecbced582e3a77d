// finalizeWorkspace and workspaceDiff on real repositories: leftovers committed as the identity, the branch delivered.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { WorkspaceError } from '../../src/session/errors.js';
import { createWorkspace, finalizeWorkspace, gitIdentityEnv, LEFTOVER_COMMIT_MESSAGE, removeWorkspace, resolveWorkspaceSpec, workspaceDiff } from '../../src/workspace/index.js';
import { git, makeRepo, repoSnapshot, sessionGit, tempDir, writeFiles } from './helpers.js';

/** KiB of loose and packed objects of a repository. */
function objectKib(repo: string): number {
  const fields = Object.fromEntries(git(repo, ['count-objects', '-v']).split('\n').map((line) => line.split(': ') as [string, string]));
  return Number(fields['size']) + Number(fields['size-pack']);
}

const identity = { name: 'Engineering VP', email: 'vp@example.com' };
const spec = (repository: string, branch: string) => resolveWorkspaceSpec({ repository, branch }, { workingDirectory: repository, taskId: 'T-1' });

void describe('a session working in its workspace', () => {
  void it('commits with plain git and gitIdentityEnv, with no user config anywhere', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/session'), { root: join(tmp, 'ws') });
    writeFiles(ws.path, { 'feature.txt': 'feature\n' });
    sessionGit(ws.path, ['add', 'feature.txt']);
    assert.throws(() => sessionGit(ws.path, ['commit', '-qm', 'no identity']), /Author identity unknown|empty ident|tell me who you are/i);
    sessionGit(ws.path, ['commit', '-qm', 'Add feature'], gitIdentityEnv(identity));
    assert.equal(sessionGit(ws.path, ['log', '-1', '--format=%an <%ae> / %cn <%ce> / %s']), 'Engineering VP <vp@example.com> / Engineering VP <vp@example.com> / Add feature');
    // The repository knows nothing of it until finalize.
    assert.throws(() => git(repo, ['rev-parse', '--verify', 'refs/heads/vp/session']));
    assert.throws(() => git(repo, ['cat-file', '-e', sessionGit(ws.path, ['rev-parse', 'HEAD'])]));
  });
});

void describe('finalizeWorkspace', () => {
  void it('commits leftovers (tracked, untracked, deleted; not ignored) as the identity and delivers the branch', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp, { 'README.md': 'hello\n', 'src/app.txt': 'one\ntwo\n', 'old.txt': 'old\n', '.gitignore': '*.log\n' });
    const ws = await createWorkspace(spec(repo, 'vp/leftovers'), { root: join(tmp, 'ws') });
    writeFiles(ws.path, { 'src/app.txt': 'one\n2\nthree\n', 'new/file.txt': 'new\n', 'debug.log': 'ignored\n', 'img.bin': Buffer.from([0, 1, 2, 0, 255]) });
    unlinkSync(join(ws.path, 'old.txt'));
    const before = repoSnapshot(repo);

    const status = await finalizeWorkspace(ws, identity);
    assert.deepEqual(status, {
      path: ws.path,
      repository: repo,
      branch: 'vp/leftovers',
      baseRef: 'HEAD',
      baseCommit: ws.baseCommit,
      headCommit: status.headCommit,
      commits: 1,
      filesChanged: ['img.bin', 'new/file.txt', 'old.txt', 'src/app.txt'],
      insertions: 3,
      deletions: 2,
    });
    assert.equal(git(repo, ['rev-parse', 'refs/heads/vp/leftovers']), status.headCommit);
    assert.equal(git(repo, ['log', '-1', '--format=%an|%ae|%cn|%ce|%B', 'vp/leftovers']), `Engineering VP|vp@example.com|Engineering VP|vp@example.com|${LEFTOVER_COMMIT_MESSAGE}`);
    assert.equal(git(repo, ['rev-parse', 'vp/leftovers^']), ws.baseCommit);
    assert.equal(git(repo, ['show', 'vp/leftovers:new/file.txt']), 'new');
    assert.throws(() => git(repo, ['cat-file', '-e', 'vp/leftovers:debug.log']));
    assert.equal(git(ws.path, ['status', '--porcelain']), '');
    // Only the new ref was written: no FETCH_HEAD, no change of HEAD, index, status, config or other refs.
    const after = repoSnapshot(repo);
    assert.equal(after.refs, `${before.refs}\nrefs/heads/vp/leftovers ${status.headCommit}`);
    assert.deepEqual({ ...after, refs: before.refs }, before);
  });

  void it('is idempotent: a second run makes no second commit and reports the same', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/twice'), { root: join(tmp, 'ws') });
    writeFiles(ws.path, { 'a.txt': 'a\n' });
    const first = await finalizeWorkspace(ws, identity);
    const second = await finalizeWorkspace(ws, { name: 'Someone Else', email: 'else@example.com' });
    assert.deepEqual(second, first);
    assert.equal(git(repo, ['rev-list', '--count', `${ws.baseCommit}..vp/twice`]), '1');
  });

  void it('with no change at all: commits 0, nothing changed, and the branch is still delivered at the base', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/nothing'), { root: join(tmp, 'ws') });
    const status = await finalizeWorkspace(ws, identity);
    assert.equal(status.commits, 0);
    assert.deepEqual(status.filesChanged, []);
    assert.equal(status.insertions + status.deletions, 0);
    assert.equal(status.headCommit, ws.baseCommit);
    assert.equal(git(repo, ['rev-parse', 'refs/heads/vp/nothing']), ws.baseCommit);
  });

  void it("keeps the session's own commits and adds the leftovers on top; objects of the base are not sent again", async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp, { 'big.bin': randomBytes(2 * 1024 * 1024), 'a.txt': 'a\n' });
    const objectsBefore = objectKib(repo);
    const ws = await createWorkspace(spec(repo, 'vp/own'), { root: join(tmp, 'ws') });
    const env = gitIdentityEnv(identity);
    writeFiles(ws.path, { 'one.txt': '1\n' });
    sessionGit(ws.path, ['add', '.']);
    sessionGit(ws.path, ['commit', '-qm', 'one'], env);
    writeFiles(ws.path, { 'two.txt': '2\n' });
    sessionGit(ws.path, ['add', '.']);
    sessionGit(ws.path, ['commit', '-qm', 'two'], env);
    writeFiles(ws.path, { 'three.txt': '3\n' });
    const status = await finalizeWorkspace(ws, identity);
    assert.equal(status.commits, 3);
    assert.deepEqual(status.filesChanged, ['one.txt', 'three.txt', 'two.txt']);
    assert.equal(git(repo, ['log', '--format=%s', 'vp/own']), [LEFTOVER_COMMIT_MESSAGE, 'two', 'one', 'initial'].join('\n'));
    const objectsAfter = objectKib(repo);
    t.diagnostic(`repository objects before delivery: ${objectsBefore} KiB, after: ${objectsAfter} KiB (its 2 MiB blob not sent again)`);
    assert.ok(objectsAfter - objectsBefore < 64, `${objectsAfter - objectsBefore} KiB more`);
  });

  void it('moves the branch to where the session left HEAD when that descends from it (a branch of its own)', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/adopt'), { root: join(tmp, 'ws') });
    sessionGit(ws.path, ['checkout', '-q', '-b', 'my-feature']);
    writeFiles(ws.path, { 'f.txt': 'f\n' });
    sessionGit(ws.path, ['add', '.']);
    sessionGit(ws.path, ['commit', '-qm', 'on my own branch'], gitIdentityEnv(identity));
    const status = await finalizeWorkspace(ws, identity);
    assert.equal(status.commits, 1);
    assert.equal(git(repo, ['log', '-1', '--format=%s', 'vp/adopt']), 'on my own branch');
    assert.equal(git(ws.path, ['symbolic-ref', 'HEAD']), 'refs/heads/vp/adopt');
  });

  void it('clears the locks a killed session left, and works on a shallow clone', async (t) => {
    const tmp = tempDir(t);
    const origin = makeRepo(tmp, { 'a.txt': '1\n' }, 'origin');
    for (const n of [2, 3]) {
      writeFiles(origin, { 'a.txt': `${n}\n` });
      git(origin, ['commit', '-qam', `c${n}`]);
    }
    const shallow = join(tmp, 'shallow');
    git(tmp, ['clone', '--quiet', '--depth=1', `file://${origin}`, shallow]);
    const ws = await createWorkspace(spec(shallow, 'vp/shallow'), { root: join(tmp, 'ws') });
    writeFiles(ws.path, { 'a.txt': '4\n' });
    writeFileSync(join(ws.gitDir, 'index.lock'), '');
    writeFileSync(join(ws.gitDir, 'HEAD.lock'), '');
    const status = await finalizeWorkspace(ws, identity);
    assert.equal(status.commits, 1);
    assert.deepEqual([status.insertions, status.deletions], [1, 1]);
    assert.equal(git(shallow, ['show', 'vp/shallow:a.txt']), '4');
    assert.equal(git(ws.path, ['log', '--format=%s']), `${LEFTOVER_COMMIT_MESSAGE}\nc3`);
  });

  void it('two workspaces of one repository at once deliver two independent branches', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'ws');
    const [a, b] = await Promise.all([createWorkspace(spec(repo, 'vp/a'), { root }), createWorkspace(spec(repo, 'vp/b'), { root })]);
    writeFiles(a.path, { 'README.md': 'from a\n', 'a.txt': 'a\n' });
    writeFiles(b.path, { 'README.md': 'from b\n', 'b.txt': 'b\n' });
    assert.equal(existsSync(join(b.path, 'a.txt')), false);
    const [sa, sb] = await Promise.all([finalizeWorkspace(a, identity), finalizeWorkspace(b, identity)]);
    assert.deepEqual(sa.filesChanged, ['README.md', 'a.txt']);
    assert.deepEqual(sb.filesChanged, ['README.md', 'b.txt']);
    assert.equal(git(repo, ['show', 'vp/a:README.md']), 'from a');
    assert.equal(git(repo, ['show', 'vp/b:README.md']), 'from b');
    assert.equal(git(repo, ['show', 'HEAD:README.md']), 'hello');
    assert.equal(git(repo, ['merge-base', 'vp/a', 'vp/b']), a.baseCommit);
  });

  void it("leaves a repository branch the user built on, and refuses one that diverged (ERR_WORKSPACE_DELIVER)", async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/shared'), { root: join(tmp, 'ws') });
    writeFiles(ws.path, { 'w.txt': 'w\n' });
    const first = await finalizeWorkspace(ws, identity);
    // The user commits on top of the delivered branch: finalizing again keeps the user's commit.
    git(repo, ['checkout', '-q', 'vp/shared']);
    writeFiles(repo, { 'user.txt': 'u\n' });
    git(repo, ['add', 'user.txt']);
    git(repo, ['commit', '-qm', 'user on top']);
    const userTip = git(repo, ['rev-parse', 'HEAD']);
    assert.deepEqual(await finalizeWorkspace(ws, identity), first);
    assert.equal(git(repo, ['rev-parse', 'vp/shared']), userTip);
    git(repo, ['checkout', '-q', 'main']);
    // The user rewrites the branch elsewhere and the workspace has more work: refused, the user's branch kept.
    git(repo, ['branch', '-f', 'vp/shared', 'main']);
    git(repo, ['commit', '-q', '--allow-empty', '-m', 'elsewhere']);
    git(repo, ['branch', '-f', 'vp/shared', 'main']);
    const elsewhere = git(repo, ['rev-parse', 'vp/shared']);
    writeFiles(ws.path, { 'more.txt': 'more\n' });
    const error = await finalizeWorkspace(ws, identity).then(() => assert.fail('expected a refusal'), (e: unknown) => e as WorkspaceError);
    assert.equal(error.code, 'ERR_WORKSPACE_DELIVER');
    assert.equal(error.field, 'workspace.branch');
    assert.equal(git(repo, ['rev-parse', 'vp/shared']), elsewhere);
  });
});

void describe('workspaceDiff', () => {
  void it('shows committed and uncommitted work while the folder exists, then the delivered branch from the repository', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/diff'), { root: join(tmp, 'ws') });
    writeFiles(ws.path, { 'committed.txt': 'c\n' });
    sessionGit(ws.path, ['add', '.']);
    sessionGit(ws.path, ['commit', '-qm', 'c'], gitIdentityEnv(identity));
    writeFiles(ws.path, { 'README.md': 'changed\n', 'untracked.txt': 'u\n' });
    const live = await workspaceDiff(ws);
    for (const path of ['committed.txt', 'README.md', 'untracked.txt']) assert.match(live, new RegExp(`^diff --git a/${path} b/${path}$`, 'm'));
    assert.match(live, /^\+changed$/m);
    // Nothing was committed or staged by it.
    assert.equal(git(ws.path, ['rev-list', '--count', `${ws.baseCommit}..HEAD`]), '1');
    assert.match(git(ws.path, ['status', '--porcelain']), /\?\? untracked.txt/);

    await finalizeWorkspace(ws, identity);
    await removeWorkspace(ws);
    const delivered = await workspaceDiff(ws);
    assert.equal(delivered, live);
    assert.equal(await workspaceDiff({ repository: ws.repository, baseCommit: ws.baseCommit, branch: ws.branch }), live);
    assert.equal(delivered, `${git(repo, ['diff', '--no-renames', '--binary', ws.baseCommit, 'vp/diff'])}\n`);
  });

  void it('of a branch never delivered and a folder gone: ERR_WORKSPACE_GIT', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/gone'), { root: join(tmp, 'ws') });
    rmSync(join(ws.path, '..'), { recursive: true });
    await assert.rejects(workspaceDiff(ws), { code: 'ERR_WORKSPACE_GIT' });
  });
});
