import type { ClaudeSessionStatus, SessionMetricsSummary } from '../session/types.js';

/** Totals over active and finished sessions; each session appears in exactly one of the two lists. */
export function summarize(active: readonly ClaudeSessionStatus[], finished: readonly ClaudeSessionStatus[]): SessionMetricsSummary {
  const count = (state: ClaudeSessionStatus['state']): number => finished.filter((s) => s.state === state).length;
  const all = [...active, ...finished];
  const totalTime = finished.reduce((sum, s) => sum + (s.executionTime ?? 0), 0);
  return {
    totalSessions: all.length,
    activeSessions: active.length,
    completedSessions: count('completed'),
    failedSessions: count('failed'),
    crashedSessions: count('crashed'),
    timedOutSessions: count('timeout'),
    terminatedSessions: count('terminated'),
    avgExecutionTime: finished.length > 0 ? Math.round(totalTime / finished.length) : 0,
    totalTokensUsed: all.reduce((sum, s) => sum + s.tokenUsage.total, 0),
    totalCostUsd: all.reduce((sum, s) => sum + s.costUsd, 0),
  };
}
