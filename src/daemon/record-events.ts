// Every session start and end, crash, dump and approval goes to the database as it happens, so a restart knows
// what was running and the lists show what happened.
import type { SessionPool } from '../pool/pool.js';
import type { SessionRecoveryManager } from '../recovery/manager.js';
import type { ClaudeSessionStatus } from '../session/types.js';
import type { ClaudeSessionSpawner } from '../spawner/spawner.js';
import type { DaemonStore } from '../store/store.js';
import type { Recorder } from './recorder.js';
import { summarize, type SessionSummary } from './session-rows.js';

export interface RecordedParts {
  pool: SessionPool;
  spawner: ClaudeSessionSpawner;
  recovery: SessionRecoveryManager;
  store: DaemonStore;
  recorder: Recorder;
  /** True once the daemon is stopping. */
  stopping: () => boolean;
  summary: (sessionId: string, status: ClaudeSessionStatus) => SessionSummary;
}

export function recordEvents({ pool, spawner, recovery, store, recorder, stopping, summary }: RecordedParts): void {
  pool.on('session-allocated', ({ requestId, sessionId }) => {
    const status = spawner.getSessionStatus(sessionId);
    const config = spawner.getSessionConfig(sessionId);
    recorder.sessionStarted({
      sessionId,
      requestId,
      claudeSessionId: status?.claudeSessionId ?? '',
      pid: status?.pid,
      workingDirectory: config?.workingDirectory ?? '',
      startedAt: status?.startTime ?? new Date(),
    }, status, summarize(status ?? undefined, config, store.getRequest(requestId)?.priority));
  });
  spawner.on('session-ended', ({ sessionId, status }) => {
    // Stopped by this daemon's own shutdown: left unfinished in the database, so the next start resumes it.
    if (stopping() && status.state === 'terminated') return;
    recorder.sessionEnded(sessionId, { state: status.state, outcome: status.outcome?.reason, endedAt: status.endTime ?? new Date(), status, summary: summary(sessionId, status) });
  });
  recovery.on('crash-analyzed', ({ sessionId, analysis, crashedSessionId }) => {
    recorder.crash({ sessionId, crashedSessionId, crashClass: analysis.crashClass, crashType: analysis.crashType, analysis });
  });
  recovery.on('crash-dump-saved', ({ sessionId, filepath, crashedSessionId }) => recorder.crashDump(crashedSessionId, sessionId, filepath));
  spawner.on('approval-requested', (a) => recorder.approval({ ...a, state: 'pending', requestedAt: new Date() }));
  spawner.on('approval-resolved', ({ approvalId, approved, reason }) => {
    const pending = store.listApprovals({ state: 'pending' }).find((a) => a.approvalId === approvalId);
    if (pending) recorder.approval({ ...pending, state: approved ? 'approved' : 'denied', resolvedAt: new Date(), resolution: reason });
  });
}
