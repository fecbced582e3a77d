import { emptyMetrics } from '../../src/spawner/metrics.js';
import type { ClaudeSessionStatus, SessionEvidence } from '../../src/session/types.js';

/** Overrides for {@link makeStatus}; `evidence: null` leaves the status without evidence. */
export type StatusOverrides = Partial<Omit<ClaudeSessionStatus, 'evidence'>> & { evidence?: Partial<SessionEvidence> | null };

/** A final session status for tests; override what matters. `evidence` is merged into a default (initialized). */
export function makeStatus(overrides: StatusOverrides = {}): ClaudeSessionStatus {
  const { evidence, ...rest } = overrides;
  const status: ClaudeSessionStatus = {
    sessionId: 'sess-1',
    claudeSessionId: '00000000-0000-4000-8000-000000000001',
    state: 'crashed',
    startTime: new Date('2025-01-01T00:00:00.000Z'),
    endTime: new Date('2025-01-01T00:00:05.000Z'),
    executionTime: 5000,
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    tokenUsage: { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, total: 0 },
    costUsd: 0,
    metrics: emptyMetrics(),
    modifiedFiles: [],
    files: { dir: '/tmp/x', charter: '/tmp/x/charter.md', stdout: '/tmp/x/stdout', stderr: '/tmp/x/stderr' },
    ...rest,
  };
  if (evidence !== null) status.evidence = { initialized: true, lastMessages: [], ...evidence };
  return status;
}
