import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createControlServer, createDaemonMetrics, createFleetMetrics, readOrCreateToken } from '../../api/server.js';
import { daemonBackend } from '../../daemon/backend.js';
import { VPDaemon } from '../../daemon/daemon.js';
import type { FleetOptions } from '../../daemon/fleet-node.js';
import { createLogger, type Logger } from '../../utils/logger.js';
import { SERVE_CHARTER_LOOKUP } from '../charter-help.js';

export const SERVE_HELP = `vp-daemon serve [--state DIR] [--charters DIR] [--host 127.0.0.1] [--port 7878] [--max-sessions 5]
                [--fleet redis://host:6379[/db] [--fleet-name NAME] [--fleet-max-sessions N] [--fleet-remote origin]
                 [--fleet-lease-ms 30000] [--fleet-stalled-check-ms 30000]]

Runs the daemon: a pool of Claude Code sessions, crash recovery, a SQLite database in the state folder,
and the control API on loopback (token in <state>/api-token, owner-only). A second daemon on the same
state folder is refused. SIGINT/SIGTERM drain the pool and stop; what was queued or running resumes at
the next start. The port is --port, else $VP_DAEMON_PORT, else 7878 (0: any free port; the URL is printed
and written to <state>/daemon.json, where the other commands find it).

With --fleet, the daemon joins a fleet on Redis (rediss:// for TLS): requests submitted to any node go into one
BullMQ queue, this node runs up to --max-sessions of them, and the fleet at most --fleet-max-sessions at once.
Redis not answering, or a fleet of another protocol version, stops the start with a typed error.
Each start of a request takes a lease with a fencing token; a node that cannot renew it for --fleet-lease-ms
stops the session, and another node takes the request over (within the lease plus --fleet-stalled-check-ms),
continuing the same conversation from the branch pushed to --fleet-remote (the repository's remote name or a URL).

${SERVE_CHARTER_LOOKUP}

Examples:
  vp-daemon serve --state .vp-daemon --charters examples/charters --max-sessions 2
  VP_DAEMON_LOG_LEVEL=info vp-daemon serve
`;

/** Where a running daemon can be reached: `<state>/daemon.json`. */
export const daemonInfoPath = (stateDir: string): string => join(stateDir, 'daemon.json');

/** A started daemon served on the control API (and the dashboard), until `close`. */
export interface Serving {
  url: string;
  close(): Promise<void>;
}

/** Serves a started daemon: the control API and the dashboard at `url`, metrics, and `<state>/daemon.json`. */
export async function serveDaemon(daemon: VPDaemon, args: { host: string; port: number; logger: Logger }): Promise<Serving> {
  const registry = new Registry();
  const metrics = createDaemonMetrics(registry);
  daemon.spawner.on('session-spawned', () => metrics.sessionStarted());
  daemon.spawner.on('session-ended', ({ status }) => metrics.sessionEnded(status.state, status.tokenUsage.total, status.costUsd, status.executionTime ?? 0));
  daemon.recovery.on('crash-analyzed', ({ analysis }) => metrics.crash(analysis.crashClass));
  daemon.recovery.on('recovery-succeeded', () => metrics.recovery('succeeded'));
  daemon.recovery.on('recovery-failed', () => metrics.recovery('failed'));
  daemon.recovery.on('recovery-abandoned', () => metrics.recovery('abandoned'));
  const sample = setInterval(() => {
    const status = daemon.pool.getPoolStatus();
    metrics.queueLength(status.queuedCount);
    metrics.setActive(status.activeCount);
  }, 1000);
  sample.unref();
  const fleet = await daemon.fleetStatus();
  if (fleet) createFleetMetrics(registry, fleet.node, () => daemon.fleetStatus());
  const token = await readOrCreateToken(daemon.stateDir);
  const backend = daemonBackend(daemon, args.logger);
  const server = createControlServer(backend, { host: args.host, port: args.port, token, logger: args.logger, metricsRegistry: registry });
  const { url } = await server.listen();
  await writeFile(daemonInfoPath(daemon.stateDir), JSON.stringify({ url, pid: process.pid, startedAt: new Date() }), { mode: 0o600 });
  return {
    url,
    close: async () => {
      clearInterval(sample);
      await server.close();
      backend.close();
      await rm(daemonInfoPath(daemon.stateDir), { force: true });
    },
  };
}

/** Resolves at the first SIGINT or SIGTERM. */
export const untilSignal = (): Promise<void> =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

/** `vp-daemon serve`: runs until a signal. */
export async function serveCommand(args: {
  stateDir: string;
  chartersDir?: string;
  host: string;
  port: number;
  maxSessions: number;
  fleet?: FleetOptions;
}): Promise<number> {
  const logger = createLogger(process.env['VP_DAEMON_LOG_LEVEL'] ?? 'info');
  const chartersDir = args.chartersDir;
  const daemon = new VPDaemon({ stateDir: args.stateDir, chartersDir, maxSessions: args.maxSessions, logger, ...(args.fleet && { fleet: args.fleet }) });
  await daemon.start();
  const serving = await serveDaemon(daemon, { host: args.host, port: args.port, logger });
  const { url } = serving;
  logger.info({ url, stateDir: daemon.stateDir }, 'vp-daemon serving');
  process.stdout.write(`vp-daemon serving on ${url} (state ${daemon.stateDir}, pid ${process.pid})\n`);
  process.stdout.write(`dashboard: ${url}/ (log in with the URL that vp-daemon dashboard --state ${args.stateDir} prints)\n`);
  await untilSignal();
  process.stdout.write('vp-daemon: draining...\n');
  await serving.close();
  await daemon.stop(10_000);
  process.stdout.write('vp-daemon: stopped\n');
  return 0;
}
