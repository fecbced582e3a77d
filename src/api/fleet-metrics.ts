import { Gauge, type Registry } from 'prom-client';

/** What the fleet metrics read at each scrape (a node's view of its fleet). */
export interface FleetSnapshot {
  node: string;
  nodes: readonly { id: string; running: number; maxSessions: number; paused: boolean; lost: boolean }[];
  pausedUntil?: number;
  jobs: Readonly<Record<string, number>>;
}

/**
 * Registers the fleet's figures, read from Redis at each scrape: nodes by state, sessions per node, jobs by BullMQ
 * state, and the fleet-wide pause. Every metric of the registry also gets the label `node` (this node's id), so the
 * per-node figures of several nodes can be told apart once scraped together.
 */
export function createFleetMetrics(registry: Registry, node: string, read: () => Promise<FleetSnapshot | undefined>): void {
  registry.setDefaultLabels({ node });
  // One read per scrape, shared by the gauges below (each has its own collect).
  let pending: Promise<FleetSnapshot | undefined> | undefined;
  const snapshot = (): Promise<FleetSnapshot | undefined> => {
    pending ??= read()
      .catch(() => undefined)
      .finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, s: FleetSnapshot) => void): void => {
    new Gauge({
      name: `vp_daemon_fleet_${name}`,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        const s = await snapshot();
        if (s) fill(this, s);
      },
    });
  };
  gauge('nodes', 'Nodes of the fleet, by state (up, draining, lost: no heartbeat for three intervals)', ['state'], (g, s) => {
    for (const state of ['up', 'draining', 'lost']) g.set({ state }, 0);
    for (const n of s.nodes) g.inc({ state: n.lost ? 'lost' : n.paused ? 'draining' : 'up' });
  });
  gauge('node_sessions', 'Sessions each node of the fleet runs, at its last heartbeat', ['fleet_node'], (g, s) => {
    for (const n of s.nodes) g.set({ fleet_node: n.id }, n.running);
  });
  gauge('node_capacity', 'Sessions each node of the fleet runs at most', ['fleet_node'], (g, s) => {
    for (const n of s.nodes) g.set({ fleet_node: n.id }, n.maxSessions);
  });
  gauge('jobs', "Requests in the fleet's queue, by BullMQ state", ['state'], (g, s) => {
    for (const [state, count] of Object.entries(s.jobs)) g.set({ state }, count);
  });
  gauge('paused_seconds', 'Seconds the fleet-wide pause (a rate limit) still lasts; 0 when it takes work', [], (g, s) => {
    g.set(s.pausedUntil === undefined ? 0 : Math.max(0, (s.pausedUntil - Date.now()) / 1000));
  });
}
