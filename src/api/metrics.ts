import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The daemon's Prometheus metrics; the daemon calls these as things happen. */
export interface DaemonMetrics {
  sessionStarted(): void;
  sessionEnded(state: string, tokens: number, costUsd: number, executionMs: number): void;
  queueLength(n: number): void;
  queueWaitMs(ms: number): void;
  crash(crashClass: string): void;
  recovery(result: 'succeeded' | 'failed' | 'abandoned'): void;
  setActive(n: number): void;
}

const PREFIX = 'vp_daemon_';
const QUEUE_WAIT_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600];
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

// Counters refuse negative increments; NaN and Infinity would poison a series for good.
const amount = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);

/**
 * Registers the `vp_daemon_*` metrics on the registry (reusing any already there, so calling it twice on
 * one registry is harmless) and returns the functions that update them.
 */
export function createDaemonMetrics(registry: Registry): DaemonMetrics {
  const reuse = <M>(name: string, make: (config: { name: string; registers: Registry[] }) => M): M =>
    (registry.getSingleMetric(PREFIX + name) as M | undefined) ?? make({ name: PREFIX + name, registers: [registry] });

  const started = reuse('sessions_started_total', (c) => new Counter({ ...c, help: 'Sessions started' }));
  const ended = reuse('sessions_ended_total', (c) => new Counter({ ...c, help: 'Sessions ended, by final state', labelNames: ['state'] }));
  const active = reuse('sessions_active', (c) => new Gauge({ ...c, help: 'Sessions running now' }));
  const queued = reuse('queue_length', (c) => new Gauge({ ...c, help: 'Requests waiting for a session' }));
  const queueWait = reuse(
    'queue_wait_seconds',
    (c) => new Histogram({ ...c, help: 'Time requests waited in the queue', buckets: QUEUE_WAIT_BUCKETS }),
  );
  const duration = reuse(
    'session_duration_seconds',
    (c) => new Histogram({ ...c, help: 'Wall-clock time of ended sessions', buckets: DURATION_BUCKETS }),
  );
  const tokens = reuse('tokens_total', (c) => new Counter({ ...c, help: 'Tokens used by ended sessions (input + output)' }));
  const cost = reuse('cost_usd_total', (c) => new Counter({ ...c, help: 'Cost of ended sessions in US dollars' }));
  const crashes = reuse('crashes_total', (c) => new Counter({ ...c, help: 'Session crashes, by crash class', labelNames: ['class'] }));
  const recoveries = reuse(
    'recoveries_total',
    (c) => new Counter({ ...c, help: 'Recovery attempts, by result', labelNames: ['result'] }),
  );

  return {
    sessionStarted: () => started.inc(),
    sessionEnded(state, tokenCount, costUsd, executionMs) {
      ended.inc({ state });
      tokens.inc(amount(tokenCount));
      cost.inc(amount(costUsd));
      duration.observe(amount(executionMs) / 1000);
    },
    queueLength: (n) => queued.set(amount(n)),
    queueWaitMs: (ms) => queueWait.observe(amount(ms) / 1000),
    crash: (crashClass) => crashes.inc({ class: crashClass }),
    recovery: (result) => recoveries.inc({ result }),
    setActive: (n) => active.set(amount(n)),
  };
}
