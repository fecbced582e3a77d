import type { ControlBackend } from '../api/server.js';
import type { Logger } from '../utils/logger.js';
import { ConfigError } from '../session/errors.js';
import type { VPDaemon } from './daemon.js';
import { reviveTriage } from './revive.js';
import { DashboardFeed } from './dashboard-feed.js';
import { fleetFigures } from './session-rows.js';
import { sessionView } from './session-view.js';
import type { TriageRequest } from '../session/request.js';

/** The control API's view of a daemon. */
export function daemonBackend(daemon: VPDaemon, logger: Logger): ControlBackend & { close(): void } {
  const { spawner, pool } = daemon;
  const store = (): VPDaemon['store'] => daemon.store;
  const feed = new DashboardFeed(daemon, logger);
  return {
    close: () => feed.close(),
    sessionsPage: ({ offset, limit }) => {
      const { total, sessions } = store().pageSessions({ offset, limit });
      const waiting = feed.waitingSessions();
      return { total, rows: sessions.map((s) => feed.row(s.sessionId, s, waiting)) };
    },
    sessionView: (id) => sessionView(daemon, feed, id),
    fleet: () =>
      fleetFigures({
        byState: store().sessionCountsByState(),
        ended: store().endedSummaries(),
        crashClasses: store().crashCountsByClass(),
        recovery: daemon.recovery.getRecoveryStats(),
      }),
    subscribe: (onEvent) => feed.subscribe(onEvent),
    submit: async (body) => {
      if (typeof body !== 'object' || body === null) throw new ConfigError([{ field: '(body)', message: 'must be a JSON object', value: body }]);
      return daemon.handleTriageRequest(reviveTriage(body as TriageRequest));
    },
    listSessions: (filter) => {
      const live = spawner.getActiveSessions().map((s) => ({ sessionId: s.sessionId, state: s.state, startedAt: s.startTime, pid: s.pid, workspace: s.workspace }));
      const stored = store().listSessions({ state: filter.state, limit: filter.limit ?? 100 }).filter((s) => !live.some((l) => l.sessionId === s.sessionId));
      // A stored session's status is large (its output); the list carries only its workspace.
      const withWorkspace = ({ status, ...rest }: (typeof stored)[number]) => ({ ...rest, workspace: (status as { workspace?: unknown } | undefined)?.workspace });
      return [...live.filter((s) => !filter.state || s.state === filter.state), ...stored.map(withWorkspace)];
    },
    getSession: (id) => spawner.getSessionStatus(id) ?? store().getSession(id),
    followSession: (id, onEvent) => {
      const status = spawner.getSessionStatus(id);
      const stored = status ? undefined : store().getSession(id);
      if (!status && !stored) return undefined;
      if (status?.stdout) onEvent({ type: 'output', data: status.stdout });
      if (!status || !spawner.getActiveSessions().some((s) => s.sessionId === id)) {
        onEvent({ type: 'ended', data: status ?? stored });
        return () => undefined;
      }
      const onOutput = (e: { sessionId: string; type: string; data: string }): void => {
        if (e.sessionId === id && e.type === 'stdout') onEvent({ type: 'output', data: e.data });
      };
      const onMessage = (e: { sessionId: string; message: unknown }): void => {
        if (e.sessionId === id) onEvent({ type: 'message', data: e.message });
      };
      const onEnded = (e: { sessionId: string; status: unknown }): void => {
        if (e.sessionId === id) onEvent({ type: 'ended', data: e.status });
      };
      const onBlocked = (e: { sessionId: string; toolName: string; input: unknown; reason: string }): void => {
        if (e.sessionId === id) onEvent({ type: 'blocked', data: { toolName: e.toolName, input: e.input, reason: e.reason } });
      };
      spawner.on('session-output', onOutput);
      spawner.on('session-message', onMessage);
      spawner.on('tool-blocked', onBlocked);
      spawner.on('session-ended', onEnded);
      return () => {
        spawner.off('session-output', onOutput);
        spawner.off('session-message', onMessage);
        spawner.off('tool-blocked', onBlocked);
        spawner.off('session-ended', onEnded);
      };
    },
    listApprovals: () => spawner.getPendingApprovals(),
    approve: (id) => daemon.approve(id),
    deny: (id, reason) => daemon.deny(id, reason),
    cancel: (requestId, terminate) => daemon.cancel(requestId, terminate),
    terminate: (sessionId) => daemon.terminate(sessionId),
    drain: (timeoutMs) => daemon.drain(timeoutMs),
    status: async () => ({
      ...daemon.getStatus(),
      fleet: await daemon.fleetStatus().catch((error: Error) => ({ unreachable: true, error: error.message })),
    }),
    fleetRequests: (limit) => daemon.fleetRequests(limit),
    metrics: () => ({ pool: pool.getMetrics(), sessions: spawner.getMetricsSummary(), recovery: daemon.recovery.getRecoveryStats() }),
  };
}
