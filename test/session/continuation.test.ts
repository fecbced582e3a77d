import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { continuedConfig } from '../../src/session/continuation.js';
import type { WorkspaceStatus } from '../../src/session/types.js';
import { makeConfig } from '../helpers/fixtures.js';

void describe('continuedConfig', () => {
  const workspace: WorkspaceStatus = {
    path: '/state/workspaces/vp-T-1-ab12/tree',
    repository: '/repo',
    branch: 'vp/T-1-ab12',
    baseRef: 'main',
    baseCommit: 'a'.repeat(40),
    headCommit: 'b'.repeat(40),
    commits: 1,
    filesChanged: ['x'],
    insertions: 1,
    deletions: 0,
    keep: 'never',
    kept: false,
  };

  void it('continues in the same workspace, from the base commit the first attempt started at', () => {
    const next = continuedConfig(makeConfig('/repo', { workspace: { keep: 'never' } }), { workspace }, 'c0ffee00-0000-4000-8000-000000000000');
    assert.deepEqual(next.workspace, { repository: '/repo', baseRef: 'a'.repeat(40), branch: 'vp/T-1-ab12', keep: 'never', path: workspace.path });
    assert.equal(next.resumeClaudeSessionId, 'c0ffee00-0000-4000-8000-000000000000');
  });

  void it('drops an earlier resume id on a fresh start and leaves a session without a workspace without one', () => {
    const plain = continuedConfig(makeConfig('/w', { resumeClaudeSessionId: 'c0ffee00-0000-4000-8000-000000000000' }), { workspace }, undefined);
    assert.equal(plain.resumeClaudeSessionId, undefined);
    assert.equal(plain.workspace, undefined);
    assert.deepEqual(continuedConfig(makeConfig('/w', { workspace: {} }), undefined, undefined).workspace, {});
  });
});
