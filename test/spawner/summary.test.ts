import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyMetrics } from '../../src/spawner/metrics.js';
import { summarize } from '../../src/spawner/summary.js';
import type { ClaudeSessionStatus, SessionState } from '../../src/session/types.js';

let n = 0;
function status(state: SessionState, over: Partial<ClaudeSessionStatus> = {}, tokens = 0): ClaudeSessionStatus {
  const sessionId = `claude-session-${++n}`;
  return {
    sessionId,
    claudeSessionId: `c-${n}`,
    state,
    startTime: new Date(0),
    stdout: '',
    stderr: '',
    tokenUsage: { input: tokens, output: 0, cacheCreation: 0, cacheRead: 0, total: tokens },
    costUsd: 0,
    metrics: emptyMetrics(),
    modifiedFiles: [],
    files: { dir: '/d', charter: '/d/CLAUDE.md', stdout: '/d/stdout.jsonl', stderr: '/d/stderr.log' },
    ...over,
  };
}

void describe('summarize', () => {
  void it('is all zeros for no sessions', () => {
    assert.deepEqual(summarize([], []), {
      totalSessions: 0,
      activeSessions: 0,
      completedSessions: 0,
      failedSessions: 0,
      crashedSessions: 0,
      timedOutSessions: 0,
      terminatedSessions: 0,
      avgExecutionTime: 0,
      totalTokensUsed: 0,
      totalCostUsd: 0,
    });
  });

  void it('counts each session once, by its state', () => {
    const active = [status('running', { costUsd: 0.5 }, 100), status('initializing'), status('waiting_input', {}, 1)];
    const finished = [
      status('completed', { executionTime: 1000, costUsd: 1 }, 1000),
      status('completed', { executionTime: 3000, costUsd: 0.25 }, 2000),
      status('failed', { executionTime: 500 }, 10),
      status('crashed', { executionTime: 100 }),
      status('timeout', { executionTime: 60_000 }),
      status('terminated', { executionTime: 400 }),
    ];
    const s = summarize(active, finished);
    assert.equal(s.totalSessions, 9);
    assert.equal(s.activeSessions, 3);
    assert.equal(s.completedSessions, 2);
    assert.equal(s.failedSessions, 1);
    assert.equal(s.crashedSessions, 1);
    assert.equal(s.timedOutSessions, 1);
    assert.equal(s.terminatedSessions, 1);
    assert.equal(s.totalTokensUsed, 100 + 1 + 1000 + 2000 + 10);
    assert.equal(s.totalCostUsd, 1.75);
    // Finished states add up to the finished sessions: none counted twice, none missed.
    assert.equal(s.completedSessions + s.failedSessions + s.crashedSessions + s.timedOutSessions + s.terminatedSessions, finished.length);
    assert.equal(s.activeSessions + finished.length, s.totalSessions);
  });

  void it('averages execution time over finished sessions only', () => {
    const active = [status('running', { executionTime: 1_000_000 })];
    const finished = [status('completed', { executionTime: 1000 }), status('failed', { executionTime: 2001 })];
    assert.equal(summarize(active, finished).avgExecutionTime, 1501, 'rounded mean of 1000 and 2001');
    assert.equal(summarize(active, []).avgExecutionTime, 0);
  });

  void it('counts a finished session without executionTime as 0 ms', () => {
    assert.equal(summarize([], [status('completed', { executionTime: 900 }), status('crashed')]).avgExecutionTime, 450);
  });

  void it('does not count final states of sessions still in the active list', () => {
    // A session that has decided its outcome but is still cleaning up is active, not finished.
    const s = summarize([status('completed')], []);
    assert.equal(s.activeSessions, 1);
    assert.equal(s.completedSessions, 0);
    assert.equal(s.totalSessions, 1);
  });
});
