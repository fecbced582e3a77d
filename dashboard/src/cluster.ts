// The fleet's nodes as the dashboard lists them (pure): this node first, then the others by id.
import type { ClusterStatus } from './types.js';

export interface NodeRow {
  id: string;
  label: string;
  sessions: string;
  state: 'up' | 'draining' | 'lost';
  heartbeat: string;
}

export function nodeRows(cluster: ClusterStatus, nowMs: number): NodeRow[] {
  return [...cluster.nodes]
    .sort((a, b) => Number(b.id === cluster.node) - Number(a.id === cluster.node) || a.id.localeCompare(b.id))
    .map((n) => ({
      id: n.id,
      label: n.id === cluster.node ? `${n.id} (this node)` : n.id,
      sessions: `${n.running}/${n.maxSessions}`,
      state: n.lost ? 'lost' : n.paused ? 'draining' : 'up',
      heartbeat: `${Math.max(0, Math.round((nowMs - n.heartbeatAt) / 1000))} s ago`,
    }));
}

/** "paused until 12:01:00 (rate limit)" while the fleet takes no work, else undefined. */
export function pauseNote(cluster: ClusterStatus, nowMs: number): string | undefined {
  if (cluster.pausedUntil === undefined || cluster.pausedUntil <= nowMs) return undefined;
  return `Paused for a rate limit: no node takes work for ${Math.ceil((cluster.pausedUntil - nowMs) / 1000)} s`;
}
