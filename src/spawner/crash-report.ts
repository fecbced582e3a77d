import type { ClaudeSessionStatus, SessionCrashReport } from '../session/types.js';

/** The spec's crash report for a finished session (output tails bounded to 4,000 characters). */
export function toCrashReport(s: ClaudeSessionStatus): SessionCrashReport {
  return {
    sessionId: s.sessionId,
    timestamp: s.endTime ?? s.startTime,
    signal: s.signal ?? undefined,
    exitCode: s.exitCode ?? undefined,
    lastState: s.state,
    lastOutput: s.stdout.slice(-4000),
    stderrTail: s.stderr.slice(-4000),
    outcome: s.outcome,
    stackTrace: s.errorMessage,
  };
}
