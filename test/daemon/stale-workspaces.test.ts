// Which workspaces a daemon's start removes: only those their keep policy wanted gone, and only when safe.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isStale, lastStateByPath, removeStaleWorkspaces } from '../../src/daemon/stale-workspaces.js';
import type { StoredSession } from '../../src/store/types.js';
import { createLogger } from '../../src/utils/logger.js';
import { createWorkspace, finalizeWorkspace, resolveWorkspaceSpec, type Workspace } from '../../src/workspace/index.js';
import { makeRepo, tempDir } from '../workspace/helpers.js';

const session = (sessionId: string, state: string, path?: string): StoredSession => ({
  sessionId,
  claudeSessionId: '',
  workingDirectory: '/w',
  state,
  startedAt: new Date(0),
  ...(path === undefined ? {} : { summary: { workspacePath: path } }),
});

void describe('stale workspaces at daemon start', () => {
  void it('the newest session of a path decides; keep decides what is stale', () => {
    const states = lastStateByPath([session('b', 'completed', '/ws/1'), session('a', 'crashed', '/ws/1'), session('c', 'failed', '/ws/2'), session('d', 'completed')]);
    assert.deepEqual([...states], [['/ws/1', 'completed'], ['/ws/2', 'failed']]);
    const ws = (keep: Workspace['keep']) => ({ keep }) as Workspace;
    assert.equal(isStale(ws('never'), undefined), true);
    assert.equal(isStale(ws('on-failure'), 'completed'), true);
    assert.equal(isStale(ws('on-failure'), 'failed'), false);
    assert.equal(isStale(ws('on-failure'), undefined), false);
    assert.equal(isStale(ws('always'), 'completed'), false);
  });

  void it('removes a delivered stale workspace, keeps one being continued and one whose branch is not delivered', async (t) => {
    const tmp = tempDir(t);
    const repo = makeRepo(tmp);
    const root = join(tmp, 'ws');
    const make = (branch: string) => createWorkspace(resolveWorkspaceSpec({ repository: repo, branch, keep: 'never' }, { workingDirectory: repo, taskId: 'T' }), { root });
    const identity = { name: 'VP', email: 'vp@example.com' };
    const done = await make('vp/done');
    await finalizeWorkspace(done, identity);
    const continued = await make('vp/continued');
    await finalizeWorkspace(continued, identity);
    const undelivered = await make('vp/undelivered');
    await removeStaleWorkspaces(root, [], new Set([continued.path]), createLogger('silent'));
    assert.equal(existsSync(done.path), false);
    assert.equal(existsSync(continued.path), true);
    assert.equal(existsSync(undelivered.path), true);
  });
});
