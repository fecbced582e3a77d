// Every way createWorkspace refuses or fails: a typed error, and nothing half-made left (no folder, no new ref).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { WorkspaceError } from '../../src/session/errors.js';
import { createWorkspace, resolveWorkspaceSpec } from '../../src/workspace/index.js';
import { entries, git, makeRepo, repoSnapshot, tempDir, writeFiles } from './helpers.js';

const spec = (repository: string, more: object = {}) => resolveWorkspaceSpec({ repository, ...more }, { workingDirectory: repository, taskId: 'T-1' });

/** Expects `promise` to reject with a WorkspaceError of `code` (and `field`, when given). */
async function rejectsWith(promise: Promise<unknown>, code: string, field?: string): Promise<WorkspaceError> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WorkspaceError, `not a WorkspaceError: ${String(error)}`);
  assert.equal(error.code, code, error.message);
  if (field !== undefined) assert.equal(error.field, field);
  return error;
}

/** A tmpfs of `options` mounted at a new folder, unmounted and removed when the test ends; undefined (and the test skipped) when not root. */
function tmpfs(t: TestContext, options: string): string | undefined {
  if (process.getuid?.() !== 0) {
    t.skip('mounting a tmpfs needs root');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vp-ws-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmdirSync(dir);
    t.skip(`cannot mount a tmpfs here: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`);
    return undefined;
  }
  t.after(() => {
    execFileSync('umount', [dir]);
    rmdirSync(dir);
  });
  return dir;
}

void describe('createWorkspace refuses', () => {
  void it('a folder that does not exist or is not in a repository: ERR_WORKSPACE_NOT_A_REPOSITORY', async (t) => {
    const tmp = tempDir(t);
    const root = join(tmp, 'ws');
    const missing = join(tmp, 'missing');
    const error = await rejectsWith(createWorkspace(spec(missing), { root }), 'ERR_WORKSPACE_NOT_A_REPOSITORY', 'workspace.repository');
    assert.equal(error.value, missing);
    mkdirSync(join(tmp, 'plain'));
    await rejectsWith(createWorkspace(spec(join(tmp, 'plain')), { root }), 'ERR_WORKSPACE_NOT_A_REPOSITORY');
    const repo = makeRepo(tmp);
    await rejectsWith(createWorkspace(spec(join(repo, '.git')), { root }), 'ERR_WORKSPACE_NOT_A_REPOSITORY');
    assert.deepEqual(entries(root), []);
  });

  void it('a baseRef that names no commit (also HEAD of an empty repository): ERR_WORKSPACE_BASE_REF', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'ws');
    const before = repoSnapshot(repo);
    for (const baseRef of ['no-such-branch', 'HEAD~5', '--output=/tmp/x', `${git(repo, ['rev-parse', 'HEAD^{tree}'])}`]) {
      const error = await rejectsWith(createWorkspace(spec(repo, { baseRef }), { root }), 'ERR_WORKSPACE_BASE_REF', 'workspace.baseRef');
      assert.equal(error.value, baseRef);
    }
    const empty = join(tmp, 'empty');
    git(tmp, ['init', '--quiet', empty]);
    await rejectsWith(createWorkspace(spec(empty), { root }), 'ERR_WORKSPACE_BASE_REF');
    assert.deepEqual(entries(root), []);
    assert.deepEqual(repoSnapshot(repo), before);
  });

  void it('an invalid branch name: ERR_WORKSPACE_BRANCH_INVALID', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'ws');
    for (const branch of ['a..b', 'x.lock', '-x', 'HEAD', '@', '@{-1}', 'a b', 'a/', 'a~1', 'x:y', '/x']) {
      const error = await rejectsWith(createWorkspace(spec(repo, { branch }), { root }), 'ERR_WORKSPACE_BRANCH_INVALID', 'workspace.branch');
      assert.equal(error.value, branch);
    }
    assert.deepEqual(entries(root), []);
  });

  void it('a branch the repository has, or one that cannot live beside its branches: ERR_WORKSPACE_BRANCH_EXISTS', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    git(repo, ['branch', 'taken']);
    git(repo, ['branch', 'vp/deep/one']);
    const root = join(tmp, 'ws');
    for (const branch of ['main', 'taken', 'taken/sub', 'vp/deep']) {
      await rejectsWith(createWorkspace(spec(repo, { branch }), { root }), 'ERR_WORKSPACE_BRANCH_EXISTS', 'workspace.branch');
    }
    assert.deepEqual(entries(root), []);
  });

  void it('a branch another workspace of the repository under the root uses: ERR_WORKSPACE_BRANCH_EXISTS', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'ws');
    const first = await createWorkspace(spec(repo, { branch: 'vp/same' }), { root });
    const before = entries(root);
    await rejectsWith(createWorkspace(spec(repo, { branch: 'vp/same' }), { root }), 'ERR_WORKSPACE_BRANCH_EXISTS');
    await rejectsWith(createWorkspace(spec(repo, { branch: 'vp/same/sub' }), { root }), 'ERR_WORKSPACE_BRANCH_EXISTS');
    // Two at once: exactly one wins the folder.
    const results = await Promise.allSettled([0, 1, 2].map(() => createWorkspace(spec(repo, { branch: 'vp/race' }), { root })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as WorkspaceError).code, 'ERR_WORKSPACE_BRANCH_EXISTS');
    assert.equal(entries(root).length, before.length + 1);
    // Another repository may use the same branch name under the same root.
    const other = makeRepo(tmp, { 'x.txt': 'x\n' }, 'other');
    const second = await createWorkspace(spec(other, { branch: 'vp/same' }), { root });
    assert.notEqual(second.path, first.path);
  });

  void it('a repository in the middle of a merge, rebase, cherry-pick or revert: ERR_WORKSPACE_MERGE_IN_PROGRESS', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp, { 'f.txt': 'base\n' });
    git(repo, ['checkout', '-q', '-b', 'other']);
    writeFiles(repo, { 'f.txt': 'other\n' });
    git(repo, ['commit', '-qam', 'other']);
    git(repo, ['checkout', '-q', 'main']);
    writeFiles(repo, { 'f.txt': 'main\n' });
    git(repo, ['commit', '-qam', 'main']);
    const root = join(tmp, 'ws');
    const attempts: [string, string[], string[]][] = [
      ['merge', ['merge', 'other'], ['merge', '--abort']],
      ['cherry-pick', ['cherry-pick', 'other'], ['cherry-pick', '--abort']],
      ['rebase', ['rebase', 'other'], ['rebase', '--abort']],
      ['revert', ['revert', '--no-edit', 'HEAD'], ['revert', '--abort']],
    ];
    for (const [what, start, abort] of attempts) {
      if (what === 'revert') {
        writeFiles(repo, { 'f.txt': 'conflicting\n' });
        git(repo, ['commit', '-qam', 'conflicting']);
        writeFiles(repo, { 'f.txt': 'again\n' });
        git(repo, ['commit', '-qam', 'again']);
        assert.throws(() => git(repo, ['revert', '--no-edit', 'HEAD~1'], { GIT_EDITOR: 'true' }));
      } else {
        assert.throws(() => git(repo, start, { GIT_EDITOR: 'true' }), `${what} should conflict`);
      }
      const error = await rejectsWith(createWorkspace(spec(repo, { branch: `vp/${what}` }), { root }), 'ERR_WORKSPACE_MERGE_IN_PROGRESS', 'workspace.repository');
      assert.match(error.message, new RegExp(what));
      git(repo, abort);
    }
    assert.deepEqual(entries(root), []);
    await createWorkspace(spec(repo, { branch: 'vp/after' }), { root });
  });
});

void describe('createWorkspace without room', () => {
  void it('a base tree larger than the free space: ERR_WORKSPACE_NO_SPACE before writing anything', async (t) => {
    const tmp = tempDir(t);
    const disk = tmpfs(t, 'size=256k');
    if (!disk) return;
    const repo = makeRepo(tmp, { 'big.bin': Buffer.alloc(1024 * 1024, 7), 'small.txt': 'x\n' });
    const before = repoSnapshot(repo);
    const root = join(disk, 'ws');
    const error = await rejectsWith(createWorkspace(spec(repo), { root }), 'ERR_WORKSPACE_NO_SPACE', 'workspace.root');
    t.diagnostic(error.message);
    assert.deepEqual(entries(disk), []);
    assert.deepEqual(repoSnapshot(repo), before);
  });

  void it('too many files for the free inodes: ERR_WORKSPACE_NO_SPACE', async (t) => {
    const tmp = tempDir(t);
    const disk = tmpfs(t, 'size=4m,nr_inodes=40');
    if (!disk) return;
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i++) files[`f${i}.txt`] = `${i}\n`;
    const repo = makeRepo(tmp, files);
    const error = await rejectsWith(createWorkspace(spec(repo), { root: disk }), 'ERR_WORKSPACE_NO_SPACE');
    assert.match(error.message, /files needed/);
    assert.deepEqual(entries(disk), []);
  });

  void it('a disk that fills up during checkout: ERR_WORKSPACE_NO_SPACE with the cause, and the folder removed', async (t) => {
    const tmp = tempDir(t);
    const disk = tmpfs(t, 'size=256k');
    if (!disk) return;
    // The blob is 120 KiB of newlines; `eol=crlf` makes its checkout twice that, more than the estimate allowed for.
    const repo = makeRepo(tmp, { '.gitattributes': '*.txt text eol=crlf\n', 'lines.txt': '\n'.repeat(120 * 1024) });
    const before = repoSnapshot(repo);
    const error = await rejectsWith(createWorkspace(spec(repo), { root: disk }), 'ERR_WORKSPACE_NO_SPACE');
    assert.ok(error.cause !== undefined);
    t.diagnostic(`${error.message}; cause: ${(error.cause as Error).message}`);
    assert.deepEqual(entries(disk), []);
    assert.deepEqual(repoSnapshot(repo), before);
  });
});

void describe('createWorkspace failing midway', () => {
  void it('a base tree git refuses to check out: ERR_WORKSPACE_CREATE with the cause, nothing left', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    // A commit whose tree holds `.git/config`: every checkout refuses it (`invalid path`).
    const evil = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo, input: '[core]\n', encoding: 'utf8' }).trim();
    const inner = execFileSync('git', ['mktree'], { cwd: repo, input: `100644 blob ${evil}\tconfig\n`, encoding: 'utf8' }).trim();
    const outer = execFileSync('git', ['mktree'], { cwd: repo, input: `040000 tree ${inner}\t.git\n100644 blob ${evil}\tok.txt\n`, encoding: 'utf8' }).trim();
    const commit = git(repo, ['commit-tree', outer, '-m', 'bad tree']);
    const before = repoSnapshot(repo);
    const root = join(tmp, 'ws');
    const error = await rejectsWith(createWorkspace(spec(repo, { baseRef: commit }), { root }), 'ERR_WORKSPACE_CREATE', 'workspace.root');
    assert.match((error.cause as Error).message, /invalid path/);
    assert.deepEqual(entries(root), []);
    assert.deepEqual(repoSnapshot(repo), before);
  });

  void it('a root that cannot be a folder: ERR_WORKSPACE_CREATE', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'a-file');
    writeFileSync(root, 'x');
    const error = await rejectsWith(createWorkspace(spec(repo), { root }), 'ERR_WORKSPACE_CREATE');
    assert.ok(error.cause !== undefined);
  });

  void it('an abort: ERR_WORKSPACE_CREATE whose cause is the abort reason, nothing left', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'ws');
    const reason = new Error('stop now');
    const error = await rejectsWith(createWorkspace(spec(repo), { root, signal: AbortSignal.abort(reason) }), 'ERR_WORKSPACE_CREATE');
    assert.equal(error.cause, reason);
    // Aborted at every point of creation in turn: never a leftover.
    for (const delayMs of [0, 2, 5, 10, 20, 40]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), delayMs);
      await createWorkspace(spec(repo), { root, signal: controller.signal }).then(
        () => undefined,
        (e: unknown) => assert.equal((e as WorkspaceError).code, 'ERR_WORKSPACE_CREATE'),
      );
      const left = entries(root);
      for (const name of left) assert.deepEqual(entries(join(root, name)), ['git', 'tree', 'workspace.json'], `half-made ${name}`);
    }
  });
});
