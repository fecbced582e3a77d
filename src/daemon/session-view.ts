// What the dashboard shows of one session: its row, charter, outcome, workspace, crashes and recovery attempts.
import { readFile } from 'node:fs/promises';
import type { ClaudeSessionStatus } from '../session/types.js';
import type { DashboardFeed } from './dashboard-feed.js';
import type { VPDaemon } from './daemon.js';

const CHARTER_MAX_BYTES = 256 * 1024;

/** The session's view, or undefined when the daemon has no record of it. */
export async function sessionView(daemon: VPDaemon, feed: DashboardFeed, sessionId: string): Promise<unknown> {
  const stored = daemon.store.getSession(sessionId);
  const row = feed.row(sessionId, stored);
  if (!stored || !row) return undefined;
  const status = (daemon.spawner.getSessionStatus(sessionId) ?? stored.status) as Partial<ClaudeSessionStatus> | undefined;
  const attempts = stored.requestId === undefined ? [stored] : daemon.store.listSessions({ requestId: stored.requestId }).reverse();
  const ids = new Set(attempts.map((a) => a.sessionId));
  const crashes = [...ids].flatMap((id) => daemon.store.listCrashes({ sessionId: id }));
  // CLAUDE.md was written with the secrets of its environment redacted.
  const charter = status?.files?.charter === undefined ? undefined : await readFile(status.files.charter, 'utf8').then((t) => t.slice(0, CHARTER_MAX_BYTES), () => undefined);
  return {
    row,
    ...(charter !== undefined && { charter }),
    ...(status?.resultText !== undefined && { resultText: status.resultText }),
    ...(status?.errorMessage !== undefined && { errorMessage: status.errorMessage }),
    ...(status?.outcome !== undefined && { outcome: status.outcome }),
    ...(status?.workspace !== undefined && { workspace: status.workspace }),
    crashes: crashes.map((c) => ({ at: c.at.toISOString(), crashClass: c.crashClass, crashType: c.crashType, rootCause: (c.analysis as { rootCause?: string } | undefined)?.rootCause })),
    attempts: attempts.map((a) => ({ sessionId: a.sessionId, state: a.state, ...(a.outcome !== undefined && { outcome: a.outcome }), startedAt: a.startedAt.toISOString() })),
  };
}
