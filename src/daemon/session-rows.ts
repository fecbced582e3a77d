// What the dashboard lists of a session: a row of small figures, kept in the store beside the session (its
// summary) so that a page of 200 rows out of thousands reads no status. Pure.
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';
import type { StoredSession } from '../store/types.js';
import { diffstat } from '../workspace/diffstat.js';

/** The figures of a session that do not change once it has ended, and the live ones while it runs. */
export interface SessionSummary {
  taskId?: string;
  charter?: string;
  priority?: string;
  tokens: number;
  costUsd: number;
  commands: number;
  files: number;
  branch?: string;
  changes?: string;
  /** The workspace folder's tree, for the daemon's own bookkeeping. */
  workspacePath?: string;
  runningMs?: number;
}

/** One row of the sessions list. */
export interface SessionRow extends SessionSummary {
  sessionId: string;
  requestId?: string;
  state: string;
  needsApproval: boolean;
  outcome?: string;
  startedAt: string;
  endedAt?: string;
}

type StatusLike = Pick<ClaudeSessionStatus, 'tokenUsage' | 'costUsd' | 'metrics' | 'workspace' | 'executionTime'>;

/** The summary of a session from its status and the config it ran with. */
export function summarize(status: StatusLike | undefined, config: Pick<ClaudeSessionConfig, 'taskContext' | 'charter'> | undefined, priority?: string): SessionSummary {
  const ws = status?.workspace;
  return {
    ...(config && { taskId: config.taskContext.taskId, charter: config.charter.identity.name }),
    ...((priority ?? config?.taskContext.priority) !== undefined && { priority: priority ?? config?.taskContext.priority }),
    tokens: status?.tokenUsage?.total ?? 0,
    costUsd: status?.costUsd ?? 0,
    commands: status?.metrics?.commandsExecuted ?? 0,
    files: status?.metrics?.filesModified ?? 0,
    ...(ws && { branch: ws.branch, changes: diffstat(ws), workspacePath: ws.path }),
    ...(status?.executionTime !== undefined && { runningMs: status.executionTime }),
  };
}

const EMPTY: SessionSummary = { tokens: 0, costUsd: 0, commands: 0, files: 0 };

/** A row of a stored session, with the live summary of one still running when given. */
export function toRow(stored: StoredSession, live: { state: string; summary: SessionSummary } | undefined, needsApproval: boolean): SessionRow {
  const summary = live?.summary ?? (stored.summary as SessionSummary | undefined) ?? EMPTY;
  return {
    ...summary,
    sessionId: stored.sessionId,
    ...(stored.requestId !== undefined && { requestId: stored.requestId }),
    state: live?.state ?? stored.state,
    needsApproval,
    ...(stored.outcome !== undefined && { outcome: stored.outcome }),
    startedAt: stored.startedAt.toISOString(),
    ...(stored.endedAt !== undefined && { endedAt: stored.endedAt.toISOString() }),
  };
}

/** What the fleet figures show. */
export interface FleetFigures {
  byState: Record<string, number>;
  /** Cumulative tokens and cost of ended sessions over time, one point per session end. */
  series: { t: number; tokens: number; costUsd: number }[];
  crashClasses: Record<string, number>;
  recoveries: { attempted: number; succeeded: number; failed: number };
}

/** The fleet figures from the store's counts, ended summaries and crashes, and the recovery statistics. */
export function fleetFigures(input: {
  byState: Record<string, number>;
  ended: { endedAt: Date; summary?: unknown }[];
  crashClasses: Record<string, number>;
  recovery: { totalRecoveryAttempts: number; successfulRecoveries: number; failedRecoveries: number };
}): FleetFigures {
  let tokens = 0;
  let costUsd = 0;
  const series = input.ended.map(({ endedAt, summary }) => {
    const s = summary as Partial<SessionSummary> | undefined;
    tokens += s?.tokens ?? 0;
    costUsd += s?.costUsd ?? 0;
    return { t: endedAt.getTime(), tokens, costUsd: Math.round(costUsd * 1e6) / 1e6 };
  });
  const { crashClasses } = input;
  const { totalRecoveryAttempts: attempted, successfulRecoveries: succeeded, failedRecoveries: failed } = input.recovery;
  return { byState: input.byState, series, crashClasses, recoveries: { attempted, succeeded, failed } };
}
