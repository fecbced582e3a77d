// The pure parts: defaults, names, parsers, the rendered config, the identity environment, the error class.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, ErrorCodes, isVpDaemonError, VpDaemonError, WorkspaceError, WorkspaceUnsafeError } from '../../src/session/errors.js';
import { objectFormatOf, renderGitConfig } from '../../src/workspace/config.js';
import { gitIdentityEnv, resolveWorkspaceSpec } from '../../src/workspace/index.js';
import { conflictingBranch, defaultBranchName, plainBranchName, sanitizeTaskId, workspaceSlug } from '../../src/workspace/naming.js';
import { estimateCheckoutBytes, parseHeadFile, parseLsTreeSizes, parseNumstat, parsePorcelainPaths } from '../../src/workspace/parse.js';

const ctx = { workingDirectory: '/work/project', taskId: 'TASK-42' };

void describe('resolveWorkspaceSpec', () => {
  void it("fills every default for 'git' and for {}", () => {
    for (const spec of ['git', {}] as const) {
      const resolved = resolveWorkspaceSpec(spec, ctx);
      assert.equal(resolved.repository, '/work/project');
      assert.equal(resolved.baseRef, 'HEAD');
      assert.equal(resolved.keep, 'on-failure');
      assert.match(resolved.branch, /^vp\/TASK-42-[0-9a-f]{4}$/);
    }
  });

  void it('keeps what is given and resolves a relative repository against the working directory', () => {
    const resolved = resolveWorkspaceSpec({ repository: '../other', baseRef: 'v1.2', branch: 'feature/x', keep: 'always' }, ctx);
    assert.deepEqual(resolved, { repository: '/work/other', baseRef: 'v1.2', branch: 'feature/x', keep: 'always' });
    assert.equal(resolveWorkspaceSpec({ repository: '/abs/repo' }, ctx).repository, '/abs/repo');
  });

  void it('draws a new random suffix each time', () => {
    const branches = new Set(Array.from({ length: 20 }, () => resolveWorkspaceSpec('git', ctx).branch));
    assert.ok(branches.size > 10);
  });

  void it('makes any task id safe for a branch', () => {
    const resolved = resolveWorkspaceSpec('git', { workingDirectory: '/w', taskId: ' ../Fix bug: "a..b" @{1} ~^:?*[\\ ' });
    assert.match(resolved.branch, /^vp\/[A-Za-z0-9._-]+-[0-9a-f]{4}$/);
    assert.doesNotMatch(resolved.branch, /\.\.|\/\.|-\.|\.-/);
  });

  void it('refuses empty strings and an unknown keep with a ConfigError naming the field', () => {
    assert.throws(() => resolveWorkspaceSpec({ branch: '' }, ctx), (e: unknown) => e instanceof ConfigError && e.field === 'workspace.branch');
    assert.throws(() => resolveWorkspaceSpec({ keep: 'sometimes' as 'always' }, ctx), (e: unknown) => e instanceof ConfigError && e.field === 'workspace.keep' && e.value === 'sometimes');
  });
});

void describe('naming', () => {
  void it('sanitizes task ids', () => {
    assert.equal(sanitizeTaskId('TASK-1'), 'TASK-1');
    assert.equal(sanitizeTaskId('a b/c'), 'a-b-c');
    assert.equal(sanitizeTaskId('..x..y..'), 'x.y');
    assert.equal(sanitizeTaskId('---'), 'task');
    assert.equal(sanitizeTaskId(''), 'task');
    assert.equal(sanitizeTaskId('x'.repeat(100)).length, 40);
    assert.equal(defaultBranchName('T 1', 'beef'), 'vp/T-1-beef');
  });

  void it('gives each branch of each repository its own path-safe folder name', () => {
    const a = workspaceSlug('/r', 'vp/a-b');
    assert.match(a, /^vp-a-b-[0-9a-f]{8}$/);
    assert.notEqual(workspaceSlug('/r', 'vp/a/b'), workspaceSlug('/r', 'vp/a-b'));
    assert.notEqual(workspaceSlug('/r1', 'x'), workspaceSlug('/r2', 'x'));
    assert.equal(workspaceSlug('/r', 'x'), workspaceSlug('/r', 'x'));
    assert.match(workspaceSlug('/r', '.hidden/../x'), /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
  });

  void it('finds branches that cannot live beside a new one', () => {
    assert.equal(conflictingBranch(['main', 'vp/x'], 'vp/x'), 'vp/x');
    assert.equal(conflictingBranch(['vp'], 'vp/x'), 'vp');
    assert.equal(conflictingBranch(['vp/x/y'], 'vp/x'), 'vp/x/y');
    assert.equal(conflictingBranch(['vp/xy', 'vp-x'], 'vp/x'), undefined);
    for (const name of ['', '-x', '@', 'HEAD', 'a b']) assert.equal(plainBranchName(name), false, name);
    assert.equal(plainBranchName('vp/ok'), true);
  });
});

void describe('parsers', () => {
  void it('numstat: sums lines, lists binary files with 0/0, sorts paths', () => {
    const out = '3\t1\tsrc/b.ts\x000\t5\ta.txt\x00-\t-\timg.png\x002\t0\twith\ttab.txt\x00';
    assert.deepEqual(parseNumstat(out), { filesChanged: ['a.txt', 'img.png', 'src/b.ts', 'with\ttab.txt'], insertions: 5, deletions: 6 });
    assert.deepEqual(parseNumstat(''), { filesChanged: [], insertions: 0, deletions: 0 });
  });

  void it('ls-tree sizes, gitlinks count 0', () => {
    const out = '100644 blob aaaa     12\ta.txt\x00160000 commit bbbb       -\tsub\x00120000 blob cccc      7\tlink\x00';
    assert.deepEqual(parseLsTreeSizes(out), [12, 0, 7]);
  });

  void it('checkout estimate rounds each file up to a block and adds a margin', () => {
    assert.ok(estimateCheckoutBytes([]) >= 64 * 1024);
    assert.ok(estimateCheckoutBytes([1, 1]) >= estimateCheckoutBytes([]) + 2 * 4096);
    assert.ok(estimateCheckoutBytes([10 * 1024 * 1024]) > 10 * 1024 * 1024);
  });

  void it('HEAD files and porcelain paths', () => {
    assert.deepEqual(parseHeadFile('ref: refs/heads/vp/x\n'), { ref: 'refs/heads/vp/x' });
    assert.deepEqual(parseHeadFile(`${'a'.repeat(40)}\n`), { commit: 'a'.repeat(40) });
    assert.equal(parseHeadFile('ref: refs/remotes/x\n'), undefined);
    assert.equal(parseHeadFile('garbage'), undefined);
    assert.deepEqual(parsePorcelainPaths(' M a.txt\x00?? new dir/f\x00'), ['a.txt', 'new dir/f']);
  });
});

void describe('the rendered git config', () => {
  void it('is fixed, names no program, hook, include or work tree', () => {
    const config = renderGitConfig('sha1');
    assert.equal(config, renderGitConfig('sha1'));
    assert.match(config, /repositoryformatversion = 0/);
    assert.match(config, /bare = false/);
    assert.doesNotMatch(config, /hooksPath|fsmonitor|include|worktree|filter|sshCommand|editor|pager/i);
    assert.match(renderGitConfig('sha256'), /objectformat = sha256/);
    assert.equal(objectFormatOf('a'.repeat(40)), 'sha1');
    assert.equal(objectFormatOf('a'.repeat(64)), 'sha256');
  });
});

void describe('gitIdentityEnv', () => {
  void it('names author and committer', () => {
    assert.deepEqual(gitIdentityEnv({ name: 'Eng VP', email: 'vp@example.com' }), {
      GIT_AUTHOR_NAME: 'Eng VP',
      GIT_AUTHOR_EMAIL: 'vp@example.com',
      GIT_COMMITTER_NAME: 'Eng VP',
      GIT_COMMITTER_EMAIL: 'vp@example.com',
    });
  });
});

void describe('WorkspaceError', () => {
  void it('is a VpDaemonError with a stable code, field, value and cause', () => {
    const cause = new Error('root');
    const error = new WorkspaceError(ErrorCodes.WORKSPACE_BASE_REF, 'workspace.baseRef', 'nope', 'bad ref', { cause });
    assert.ok(error instanceof VpDaemonError && isVpDaemonError(error));
    assert.equal(error.name, 'WorkspaceError');
    assert.equal(error.code, 'ERR_WORKSPACE_BASE_REF');
    assert.equal(error.field, 'workspace.baseRef');
    assert.equal(error.value, 'nope');
    assert.equal(error.cause, cause);
    const unsafe = new WorkspaceUnsafeError('/ws/tree', 'uncommitted changes');
    assert.ok(unsafe instanceof WorkspaceError);
    assert.equal(unsafe.name, 'WorkspaceUnsafeError');
    assert.equal(unsafe.code, 'ERR_WORKSPACE_UNSAFE');
    assert.equal(unsafe.reason, 'uncommitted changes');
    assert.match(unsafe.message, /uncommitted changes/);
  });
});
