// Leases, prune and the request-time checks: a workspace in use or holding work not in the repository stays.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { processStartTicks } from '../../src/utils/proc.js';
import {
  checkWorkspace,
  createWorkspace,
  finalizeWorkspace,
  gitIdentityEnv,
  leaseWorkspace,
  pruneWorkspaces,
  removeWorkspace,
  resolveWorkspaceSpec,
  workspaceDiff,
  workspaceHolder,
  workspaceSafety,
} from '../../src/workspace/index.js';
import { git, makeRepo, sessionGit, tempDir, writeFiles } from './helpers.js';

const identity = { name: 'Engineering VP', email: 'vp@example.com' };
const spec = (repository: string, branch: string) => resolveWorkspaceSpec({ repository, branch }, { workingDirectory: repository, taskId: 'T' });

void describe('workspace leases', () => {
  void it('a held workspace is neither removed nor leased again; its release frees it', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/lease'), { root: join(tmp, 'ws') });
    await finalizeWorkspace(ws, identity);
    const release = await leaseWorkspace(ws, 's-1');
    assert.equal((await workspaceHolder(ws))?.sessionId, 's-1');
    await assert.rejects(leaseWorkspace(ws, 's-2'), { code: 'ERR_WORKSPACE_IN_USE', field: 'workspace.path' });
    const safety = await workspaceSafety(ws);
    assert.equal(safety.safe, false);
    assert.ok(!safety.safe && safety.inUse && /in use by process \d+ \(session s-1\)/.test(safety.reason));
    await assert.rejects(removeWorkspace(ws), { code: 'ERR_WORKSPACE_UNSAFE' });
    // The holder itself may remove it at its end.
    assert.deepEqual(await workspaceSafety(ws, { holder: 's-1' }), { safe: true });
    await release();
    assert.equal(await workspaceHolder(ws), undefined);
    assert.deepEqual(await workspaceSafety(ws), { safe: true });
  });

  void it('a lease of another live process holds; once that process is gone, or its pid names another process, it does not', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/other'), { root: join(tmp, 'ws') });
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    t.after(() => child.kill('SIGKILL'));
    await new Promise((resolve) => child.once('spawn', resolve));
    const pid = child.pid!;
    const leaseFile = join(ws.path, '..', 'lease.json');
    writeFileSync(leaseFile, JSON.stringify({ pid, startTicks: processStartTicks(pid), sessionId: 's-other', since: new Date().toISOString() }));
    assert.equal((await workspaceHolder(ws))?.pid, pid);
    await assert.rejects(leaseWorkspace(ws, 's-mine'), /in use by process \d+ \(session s-other\)/);
    // The same pid with another start time: a reused pid, not the holder.
    writeFileSync(leaseFile, JSON.stringify({ pid, startTicks: '1', since: new Date().toISOString() }));
    assert.equal(await workspaceHolder(ws), undefined);
    writeFileSync(leaseFile, JSON.stringify({ pid, startTicks: processStartTicks(pid), since: new Date().toISOString() }));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(await workspaceHolder(ws), undefined);
    await (await leaseWorkspace(ws, 's-mine'))();
    // A lease taken where there is no procfs (no start time): a live pid holds it.
    writeFileSync(leaseFile, JSON.stringify({ pid: process.pid, startTicks: '', sessionId: 's-noproc', since: new Date().toISOString() }));
    assert.equal((await workspaceHolder(ws))?.sessionId, 's-noproc');
    writeFileSync(leaseFile, 'not json');
    assert.equal(await workspaceHolder(ws), undefined);
  });

  void it('taking a lease is exclusive: of many takers at once, one wins', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/race'), { root: join(tmp, 'ws') });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => leaseWorkspace(ws, `s-${i}`)));
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'ERR_WORKSPACE_IN_USE');
    // A removal takes the lease too: refused while a session holds it.
    await finalizeWorkspace(ws, identity);
    await assert.rejects(removeWorkspace(ws), { code: 'ERR_WORKSPACE_UNSAFE' });
    await (won[0] as PromiseFulfilledResult<() => Promise<void>>).value();
    await removeWorkspace(ws);
    assert.equal(existsSync(ws.path), false);
  });

  void it('the diff of a held workspace reads its tree and leaves its git folder as it was', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const ws = await createWorkspace(spec(repo, 'vp/live'), { root: join(tmp, 'ws') });
    const release = await leaseWorkspace(ws, 's-live');
    t.after(release);
    writeFiles(ws.path, { 'committed.txt': 'c\n' });
    sessionGit(ws.path, ['add', '.']);
    sessionGit(ws.path, ['commit', '-qm', 'c'], gitIdentityEnv(identity));
    writeFiles(ws.path, { 'README.md': 'changed\n', 'new.txt': 'n\n' });
    const index = statSync(join(ws.gitDir, 'index')).mtimeMs;
    const config = readFileSync(join(ws.gitDir, 'config'), 'utf8');
    const diff = await workspaceDiff(ws);
    for (const path of ['committed.txt', 'README.md', 'new.txt']) assert.match(diff, new RegExp(`^diff --git a/${path} b/${path}$`, 'm'));
    assert.equal(statSync(join(ws.gitDir, 'index')).mtimeMs, index);
    assert.equal(readFileSync(join(ws.gitDir, 'config'), 'utf8'), config);
    assert.match(git(ws.path, ['status', '--porcelain']), /\?\? new.txt/);
  });
});

void describe('pruneWorkspaces', () => {
  void it('removes only workspaces whose work the repository has; keeps held ones, dirty ones and unrecorded commits', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'ws');
    const make = async (branch: string) => createWorkspace(spec(repo, branch), { root });
    const delivered = await make('vp/delivered');
    await finalizeWorkspace(delivered, identity);
    const unrecorded = await make('vp/unrecorded');
    await finalizeWorkspace(unrecorded, identity);
    writeFiles(unrecorded.path, { 'late.txt': 'late\n' });
    sessionGit(unrecorded.path, ['add', '.']);
    sessionGit(unrecorded.path, ['commit', '-qm', 'after delivery'], gitIdentityEnv(identity));
    const dirty = await make('vp/dirty');
    await finalizeWorkspace(dirty, identity);
    writeFiles(dirty.path, { 'wip.txt': 'wip\n' });
    const stashed = await make('vp/stashed');
    await finalizeWorkspace(stashed, identity);
    writeFiles(stashed.path, { 'README.md': 'stashed change\n' });
    sessionGit(stashed.path, ['stash', '-q'], gitIdentityEnv(identity));
    const held = await make('vp/held');
    await finalizeWorkspace(held, identity);
    t.after(await leaseWorkspace(held, 's-held'));
    const refsBefore = git(repo, ['for-each-ref', '--format=%(refname) %(objectname)']);

    const result = await pruneWorkspaces(root);
    assert.deepEqual(result.removed.map((ws) => ws.branch), ['vp/delivered']);
    const reasons = Object.fromEntries(result.kept.map((k) => [k.workspace.branch, k.reason]));
    assert.match(reasons['vp/unrecorded'] ?? '', /does not contain the workspace's head/);
    assert.match(reasons['vp/dirty'] ?? '', /1 uncommitted change\(s\) in the tree, e\.g\. wip\.txt/);
    assert.match(reasons['vp/held'] ?? '', /in use by process \d+ \(session s-held\)/);
    assert.match(reasons['vp/stashed'] ?? '', /^refs\/stash holds work/);
    assert.equal(existsSync(delivered.path), false);
    for (const ws of [unrecorded, dirty, held, stashed]) assert.ok(existsSync(ws.path), ws.branch);
    assert.equal(git(repo, ['for-each-ref', '--format=%(refname) %(objectname)']), refsBefore, 'no branch was deleted or moved');
    assert.equal(existsSync(join(unrecorded.path, 'late.txt')), true);
    // select narrows what is looked at.
    assert.deepEqual(await pruneWorkspaces(root, () => false), { removed: [], kept: [] });
  });
});

void describe('checkWorkspace', () => {
  void it('refuses what createWorkspace would refuse and writes nothing', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'ws');
    git(repo, ['branch', 'taken']);
    await checkWorkspace(spec(repo, 'vp/fine'), root);
    await assert.rejects(checkWorkspace(spec(tmp, 'vp/x'), root), { code: 'ERR_WORKSPACE_NOT_A_REPOSITORY' });
    await assert.rejects(checkWorkspace({ ...spec(repo, 'vp/x'), baseRef: 'nope' }, root), { code: 'ERR_WORKSPACE_BASE_REF' });
    await assert.rejects(checkWorkspace(spec(repo, 'taken'), root), { code: 'ERR_WORKSPACE_BRANCH_EXISTS' });
    await assert.rejects(checkWorkspace(spec(repo, 'bad..name'), root), { code: 'ERR_WORKSPACE_BRANCH_INVALID' });
    assert.equal(existsSync(root), false);
    assert.equal(git(repo, ['branch', '--list', 'vp/*']), '');
  });
});
