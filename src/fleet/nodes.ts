// The fleet's nodes, each with a heartbeat: who is there, what it runs, and whether it still answers. A node that
// missed three heartbeats is shown as lost (its jobs go to others through BullMQ's stalled-job check).
import type { Redis } from 'ioredis';
import { fleetPrefix } from './identity.js';

/** What a node says of itself at each heartbeat. */
export interface FleetNodeInfo {
  id: string;
  host: string;
  pid: number;
  maxSessions: number;
  running: number;
  /** Draining or stopping: it takes no new jobs. */
  paused: boolean;
  heartbeatAt: number;
}

/** A node as the fleet sees it now. */
export interface FleetNodeView extends FleetNodeInfo {
  /** No heartbeat for three intervals. */
  lost: boolean;
}

/** Heartbeat interval. */
export const HEARTBEAT_MS = 5_000;

export class FleetNodes {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, fleetName: string) {
    this.#redis = redis;
    this.#key = `${fleetPrefix(fleetName)}:nodes`;
  }

  async beat(info: Omit<FleetNodeInfo, 'heartbeatAt'>): Promise<void> {
    await this.#redis.hset(this.#key, info.id, JSON.stringify({ ...info, heartbeatAt: Date.now() }));
  }

  async leave(id: string): Promise<void> {
    await this.#redis.hdel(this.#key, id);
  }

  /** Every node that beat in the last hour, with whether it is lost (`heartbeatMs` is the fleet's interval). */
  async list(heartbeatMs = HEARTBEAT_MS, now = Date.now()): Promise<FleetNodeView[]> {
    const all = Object.values(await this.#redis.hgetall(this.#key)).map((text) => JSON.parse(text) as FleetNodeInfo);
    return all
      .filter((node) => now - node.heartbeatAt < 3_600_000)
      .map((node) => ({ ...node, lost: now - node.heartbeatAt > 3 * heartbeatMs }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}
