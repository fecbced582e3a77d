// workspaceSafety and removeWorkspace: a folder is removed only when the repository has all of its work.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WorkspaceUnsafeError } from '../../src/session/errors.js';
import { createWorkspace, finalizeWorkspace, gitIdentityEnv, removeWorkspace, resolveWorkspaceSpec, workspaceSafety } from '../../src/workspace/index.js';
import { git, makeRepo, sessionGit, tempDir, writeFiles } from './helpers.js';

const identity = { name: 'Engineering VP', email: 'vp@example.com' };
const spec = (repository: string, branch: string) => resolveWorkspaceSpec({ repository, branch }, { workingDirectory: repository, taskId: 'T' });

void describe('workspaceSafety and removeWorkspace', () => {
  void it('unsafe before delivery, safe after; remove keeps the branch', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp, { 'a.txt': 'a\n', '.gitignore': 'build/\n' });
    const ws = await createWorkspace(spec(repo, 'vp/safe'), { root: join(tmp, 'ws') });
    const before = await workspaceSafety(ws);
    assert.equal(before.safe, false);
    assert.match(before.safe ? '' : before.reason, /no branch vp\/safe/);
    await assert.rejects(removeWorkspace(ws), (e: unknown) => e instanceof WorkspaceUnsafeError && e.code === 'ERR_WORKSPACE_UNSAFE' && /no branch/.test(e.reason));
    assert.ok(existsSync(ws.path));

    writeFiles(ws.path, { 'b.txt': 'b\n' });
    const status = await finalizeWorkspace(ws, identity);
    writeFiles(ws.path, { 'build/out.o': 'ignored\n' });
    assert.deepEqual(await workspaceSafety(ws), { safe: true });
    await removeWorkspace(ws);
    assert.equal(existsSync(join(ws.path, '..')), false);
    assert.equal(git(repo, ['rev-parse', 'vp/safe']), status.headCommit);
    await removeWorkspace(ws); // already gone: nothing to do
    assert.deepEqual(await workspaceSafety(ws), { safe: false, reason: `the workspace folder ${join(ws.path, '..')} does not exist` });
  });

  void it('unsafe with uncommitted changes or undelivered commits; safe when the repository built on the branch; force removes', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/unsafe'), { root: join(tmp, 'ws') });
    await finalizeWorkspace(ws, identity);
    assert.deepEqual(await workspaceSafety(ws), { safe: true });

    writeFiles(ws.path, { 'README.md': 'edited\n', 'new.txt': 'new\n' });
    const dirty = await workspaceSafety(ws);
    assert.equal(dirty.safe, false);
    assert.match(dirty.safe ? '' : dirty.reason, /2 uncommitted change\(s\).*README\.md/);
    const error = await removeWorkspace(ws).then(() => assert.fail('expected a refusal'), (e: unknown) => e as WorkspaceUnsafeError);
    assert.equal(error.code, 'ERR_WORKSPACE_UNSAFE');
    assert.equal(error.field, 'workspace.path');
    assert.equal(error.value, ws.path);
    assert.match(error.message, /uncommitted/);

    sessionGit(ws.path, ['add', '.']);
    sessionGit(ws.path, ['commit', '-qm', 'not delivered'], gitIdentityEnv(identity));
    const undelivered = await workspaceSafety(ws);
    assert.match(undelivered.safe ? '' : undelivered.reason, /does not contain the workspace's head/);

    await finalizeWorkspace(ws, identity);
    git(repo, ['checkout', '-q', 'vp/unsafe']);
    git(repo, ['commit', '-q', '--allow-empty', '-m', 'the user builds on it']);
    git(repo, ['checkout', '-q', 'main']);
    assert.deepEqual(await workspaceSafety(ws), { safe: true });

    writeFiles(ws.path, { 'lost.txt': 'lost\n' });
    await removeWorkspace(ws, { force: true });
    assert.equal(existsSync(join(ws.path, '..')), false);
    assert.ok(git(repo, ['rev-parse', 'vp/unsafe']));
  });

  void it('refuses to remove a folder whose manifest is another workspace', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'ws');
    const a = await createWorkspace(spec(repo, 'vp/one'), { root });
    await finalizeWorkspace(a, identity);
    await assert.rejects(removeWorkspace({ ...a, branch: 'vp/other' }, { force: true }), { code: 'ERR_WORKSPACE_MANIFEST' });
    await assert.rejects(removeWorkspace({ ...a, path: join(tmp, 'tree') }, { force: true }), { code: 'ERR_WORKSPACE_TAMPERED' });
    assert.ok(existsSync(a.path));
  });
});
