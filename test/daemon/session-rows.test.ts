// The dashboard's rows and fleet figures, from statuses and stored sessions. Pure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fleetFigures, summarize, toRow } from '../../src/daemon/session-rows.js';
import type { ClaudeSessionStatus } from '../../src/session/types.js';
import { makeConfig } from '../helpers/fixtures.js';

const status = {
  tokenUsage: { input: 10, output: 5, cacheCreation: 0, cacheRead: 0, total: 15 },
  costUsd: 0.25,
  metrics: { commandsExecuted: 3, filesModified: 2 },
  executionTime: 1200,
  workspace: { path: '/ws/tree', branch: 'vp/T-1-ab12', filesChanged: ['a', 'b'], insertions: 4, deletions: 1, commits: 2 },
} as unknown as ClaudeSessionStatus;

void describe('session rows', () => {
  void it('summarizes a status with its config: task, charter, priority, figures, branch and diffstat', () => {
    const config = makeConfig('/w', { taskContext: { taskId: 'T-1', description: 'd', priority: 'high' } });
    assert.deepEqual(summarize(status, config, 'critical'), {
      taskId: 'T-1',
      charter: 'Test VP',
      priority: 'critical',
      tokens: 15,
      costUsd: 0.25,
      commands: 3,
      files: 2,
      branch: 'vp/T-1-ab12',
      changes: '2 files +4 -1, 2 commits',
      workspacePath: '/ws/tree',
      runningMs: 1200,
    });
    assert.deepEqual(summarize(undefined, undefined), { tokens: 0, costUsd: 0, commands: 0, files: 0 });
  });

  void it('a row takes the live figures of a running session, else the stored summary', () => {
    const stored = { sessionId: 's-1', requestId: 'r-1', claudeSessionId: 'c', workingDirectory: '/w', state: 'completed', outcome: 'completed', startedAt: new Date(0), endedAt: new Date(1000), summary: { tokens: 7, costUsd: 0.1, commands: 1, files: 0 } };
    assert.deepEqual(toRow(stored, undefined, false), {
      tokens: 7,
      costUsd: 0.1,
      commands: 1,
      files: 0,
      sessionId: 's-1',
      requestId: 'r-1',
      state: 'completed',
      needsApproval: false,
      outcome: 'completed',
      startedAt: '1970-01-01T00:00:00.000Z',
      endedAt: '1970-01-01T00:00:01.000Z',
    });
    const live = toRow({ ...stored, state: 'running', endedAt: undefined, outcome: undefined }, { state: 'running', summary: { tokens: 99, costUsd: 1, commands: 5, files: 1 } }, true);
    assert.equal(live.tokens, 99);
    assert.equal(live.needsApproval, true);
    assert.equal('endedAt' in live, false);
  });

  void it('fleet figures: cumulative series by end time', () => {
    const figures = fleetFigures({
      byState: { completed: 2, crashed: 1 },
      ended: [
        { endedAt: new Date(1000), summary: { tokens: 10, costUsd: 0.1 } },
        { endedAt: new Date(2000) },
        { endedAt: new Date(3000), summary: { tokens: 5, costUsd: 0.2 } },
      ],
      crashClasses: { transient: 2, resource: 1 },
      recovery: { totalRecoveryAttempts: 3, successfulRecoveries: 2, failedRecoveries: 1 },
    });
    assert.deepEqual(figures.series, [
      { t: 1000, tokens: 10, costUsd: 0.1 },
      { t: 2000, tokens: 10, costUsd: 0.1 },
      { t: 3000, tokens: 15, costUsd: 0.3 },
    ]);
    assert.deepEqual(figures.crashClasses, { transient: 2, resource: 1 });
    assert.deepEqual(figures.recoveries, { attempted: 3, succeeded: 2, failed: 1 });
  });
});
