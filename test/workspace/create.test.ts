// createWorkspace on real repositories: the layout, the manifest, a source repository left untouched, no copied objects.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createWorkspace, listWorkspaces, openWorkspace, resolveWorkspaceSpec, workspaceFootprint } from '../../src/workspace/index.js';
import { entries, git, makeRepo, repoSnapshot, tempDir, writeFiles } from './helpers.js';

const spec = (repository: string, more: object = {}) => resolveWorkspaceSpec({ repository, ...more }, { workingDirectory: repository, taskId: 'T-1' });

void describe('createWorkspace', () => {
  void it('makes tree/, git/ and workspace.json, on the new branch at the base commit', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'workspaces');
    const ws = await createWorkspace(spec(repo, { branch: 'vp/first' }), { root, sessionId: 's-1', taskId: 'T-1' });

    assert.deepEqual(entries(join(ws.path, '..')), ['git', 'tree', 'workspace.json']);
    assert.equal(ws.repository, repo);
    assert.equal(ws.objectsDir, join(repo, '.git', 'objects'));
    assert.equal(ws.baseCommit, git(repo, ['rev-parse', 'HEAD']));
    assert.equal(ws.baseRef, 'HEAD');
    assert.equal(ws.keep, 'on-failure');
    assert.equal(ws.sessionId, 's-1');
    assert.equal(ws.taskId, 'T-1');
    assert.ok(!Number.isNaN(Date.parse(ws.createdAt)));
    assert.equal(readFileSync(join(ws.path, 'README.md'), 'utf8'), 'hello\n');
    assert.equal(readFileSync(join(ws.path, 'src/app.txt'), 'utf8'), 'one\ntwo\n');
    assert.ok(lstatSync(join(ws.path, '.git')).isFile());
    assert.equal(readFileSync(join(ws.path, '.git'), 'utf8'), `gitdir: ${ws.gitDir}\n`);
    assert.equal(readFileSync(join(ws.gitDir, 'objects/info/alternates'), 'utf8'), `${ws.objectsDir}\n`);
    assert.deepEqual(entries(join(ws.gitDir, 'hooks')), []);

    // Plain git inside the tree (as a session would run it) finds the workspace's own git dir and a clean tree.
    assert.equal(git(ws.path, ['rev-parse', '--abbrev-ref', 'HEAD']), 'vp/first');
    assert.equal(git(ws.path, ['rev-parse', '--absolute-git-dir']), ws.gitDir);
    assert.equal(git(ws.path, ['status', '--porcelain']), '');
    assert.equal(git(ws.path, ['rev-parse', 'HEAD']), ws.baseCommit);

    assert.deepEqual(await openWorkspace(join(ws.path, '..')), ws);
    assert.deepEqual(JSON.parse(readFileSync(join(ws.path, '..', 'workspace.json'), 'utf8')), ws);
  });

  void it('sessions of different repositories are independent: the same branch name in each, side by side', async (t) => {
    const tmp = tempDir(t);
    const one = makeRepo(tmp, { 'a.txt': 'one\n' }, 'one');
    const two = makeRepo(tmp, { 'a.txt': 'two\n' }, 'two');
    const root = join(tmp, 'ws');
    const [a, b] = await Promise.all([createWorkspace(spec(one, { branch: 'vp/same' }), { root }), createWorkspace(spec(two, { branch: 'vp/same' }), { root })]);
    assert.notEqual(a.path, b.path);
    assert.equal(readFileSync(join(a.path, 'a.txt'), 'utf8'), 'one\n');
    assert.equal(readFileSync(join(b.path, 'a.txt'), 'utf8'), 'two\n');
    assert.deepEqual((await listWorkspaces(root)).map((ws) => ws.repository).sort(), [a.repository, b.repository].sort());
  });

  void it('leaves the repository untouched: status, HEAD, refs, index, config, worktrees', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    writeFiles(repo, { 'src/app.txt': 'edited, not staged\n', 'untracked.txt': 'new\n', 'staged.txt': 'staged\n' });
    git(repo, ['add', 'staged.txt']);
    const before = repoSnapshot(repo);
    await new Promise((resolve) => setTimeout(resolve, 20)); // an index rewrite would show in its mtime
    const ws = await createWorkspace(spec(repo), { root: join(tmp, 'ws') });
    assert.deepEqual(repoSnapshot(repo), before);
    // The workspace starts from the commit: the repository's uncommitted edits are not in it.
    assert.equal(readFileSync(join(ws.path, 'src/app.txt'), 'utf8'), 'one\ntwo\n');
    assert.equal(existsSync(join(ws.path, 'untracked.txt')), false);
  });

  void it('copies no object: a 5 MB repository makes a workspace whose git dir is a few KB', async (t) => {
    const tmp = tempDir(t);
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 5; i++) files[`data/blob-${i}.bin`] = randomBytes(1024 * 1024);
    const repo = makeRepo(tmp, files);
    const ws = await createWorkspace(spec(repo), { root: join(tmp, 'ws') });
    const footprint = await workspaceFootprint(ws);
    t.diagnostic(`workspace of a 5 MiB repository: git dir ${footprint.gitDirBytes} B, of which objects ${footprint.objectsBytes} B; tree ${footprint.treeBytes} B`);
    assert.ok(footprint.objectsBytes < 64 * 1024, `objects: ${footprint.objectsBytes} B`);
    assert.ok(footprint.gitDirBytes < 64 * 1024 + 5 * 1024 * 1024 * 0.01, `git dir: ${footprint.gitDirBytes} B`);
    assert.ok(footprint.treeBytes >= 5 * 1024 * 1024);
    assert.equal(git(ws.path, ['status', '--porcelain']), '');
  });

  void it('takes a branch, a tag or a commit as baseRef, and a folder inside the repository', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const first = git(repo, ['rev-parse', 'HEAD']);
    git(repo, ['tag', 'v1']);
    writeFiles(repo, { 'later.txt': 'later\n' });
    git(repo, ['add', '.']);
    git(repo, ['commit', '-qm', 'later']);
    const root = join(tmp, 'ws');
    const byTag = await createWorkspace(spec(join(repo, 'src'), { baseRef: 'v1', branch: 'vp/tag' }), { root });
    assert.equal(byTag.repository, repo);
    assert.equal(byTag.baseCommit, first);
    assert.equal(existsSync(join(byTag.path, 'later.txt')), false);
    const byCommit = await createWorkspace(spec(repo, { baseRef: first.slice(0, 10), branch: 'vp/commit' }), { root });
    assert.equal(byCommit.baseCommit, first);
    const byBranch = await createWorkspace(spec(repo, { baseRef: 'main', branch: 'vp/main' }), { root });
    assert.equal(byBranch.baseCommit, git(repo, ['rev-parse', 'main']));
    assert.equal((await listWorkspaces(root)).length, 3);
  });

  void it('works from a linked worktree (objects of the common git dir, that worktree\'s HEAD) and from a bare repository', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const linked = join(tmp, 'linked');
    git(repo, ['worktree', 'add', '--quiet', '-b', 'side', linked]);
    writeFiles(linked, { 'side.txt': 'side\n' });
    git(linked, ['add', '.']);
    git(linked, ['commit', '-qm', 'side']);
    const before = repoSnapshot(linked);
    const ws = await createWorkspace(spec(linked, { branch: 'vp/from-linked' }), { root: join(tmp, 'ws') });
    assert.equal(ws.repository, linked);
    assert.equal(ws.objectsDir, join(repo, '.git', 'objects'));
    assert.equal(ws.baseCommit, git(linked, ['rev-parse', 'HEAD']));
    assert.equal(readFileSync(join(ws.path, 'side.txt'), 'utf8'), 'side\n');
    assert.deepEqual(repoSnapshot(linked), before);

    const bare = join(tmp, 'bare.git');
    git(tmp, ['clone', '--quiet', '--bare', repo, bare]);
    const fromBare = await createWorkspace(spec(bare, { branch: 'vp/from-bare' }), { root: join(tmp, 'ws') });
    assert.equal(fromBare.repository, bare);
    assert.equal(fromBare.objectsDir, join(bare, 'objects'));
    assert.equal(readFileSync(join(fromBare.path, 'README.md'), 'utf8'), 'hello\n');
  });

  void it('lists workspaces under a root and skips junk folders', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'ws');
    assert.deepEqual(await listWorkspaces(root), []);
    const a = await createWorkspace(spec(repo, { branch: 'vp/a' }), { root });
    const b = await createWorkspace(spec(repo, { branch: 'vp/b' }), { root });
    writeFiles(root, { 'junk/file.txt': 'x', 'bad/workspace.json': '{"version":1}', 'loose-file': 'x' });
    writeFiles(root, { 'moved/workspace.json': readFileSync(join(a.path, '..', 'workspace.json'), 'utf8') });
    const listed = await listWorkspaces(root);
    assert.deepEqual(listed.map((ws) => ws.branch), ['vp/a', 'vp/b']);
    assert.deepEqual(listed[1], b);
    await assert.rejects(openWorkspace(join(root, 'moved')), { code: 'ERR_WORKSPACE_MANIFEST' });
    await assert.rejects(openWorkspace(join(root, 'junk')), { code: 'ERR_WORKSPACE_MANIFEST', field: 'workspace.path' });
    writeFileSync(join(root, 'bad', 'workspace.json'), 'not json');
    await assert.rejects(openWorkspace(join(root, 'bad')), { code: 'ERR_WORKSPACE_MANIFEST' });
  });

  void it('supports sha256 repositories', async (t) => {
    const tmp = tempDir(t);
    const repo = join(tmp, 'repo256');
    git(tmp, ['init', '--quiet', '--object-format=sha256', repo]);
    writeFiles(repo, { 'a.txt': 'a\n' });
    git(repo, ['add', '.']);
    git(repo, ['commit', '-qm', 'a']);
    const ws = await createWorkspace(spec(repo), { root: join(tmp, 'ws') });
    assert.equal(ws.baseCommit.length, 64);
    assert.equal(git(ws.path, ['status', '--porcelain']), '');
    assert.equal(readFileSync(join(ws.path, 'a.txt'), 'utf8'), 'a\n');
  });
});
