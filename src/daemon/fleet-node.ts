// A daemon as a node of a fleet: requests go into the fleet's BullMQ queue, this node runs the jobs it takes through
// its own pool (each under a fenced lease, see fleet-job.ts), beats its heartbeat, and approvals, denials, cancels
// and terminations reach the node that holds their target.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ErrorCodes, FleetError } from '../session/errors.js';
import { rejectAfter } from '../utils/deferred.js';
import { validate } from '../utils/validate.js';
import { openFleetConnection } from '../fleet/connection.js';
import { FleetControl, type FleetCommand } from '../fleet/control.js';
import { joinFleet } from '../fleet/identity.js';
import { FleetLedger } from '../fleet/ledger.js';
import { FleetNodes, HEARTBEAT_MS, type FleetNodeView } from '../fleet/nodes.js';
import { FleetQueue, startFleetWorker, type FleetJobData } from '../fleet/queue.js';
import type { FleetJobEnd } from './fleet-job.js';
import type { SessionPriority } from '../session/types.js';
import { toJson } from '../store/index.js';
import type { Logger } from '../utils/logger.js';

/** `VPDaemon`'s `fleet` option. */
export interface FleetOptions {
  /** `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. */
  readonly url: string;
  /** Nodes of one fleet share a name. @default 'default' */
  readonly name?: string;
  /** Sessions the whole fleet runs at once. @default unlimited (each node's own limit only) */
  readonly maxSessions?: number;
  /** How long joining waits for Redis. @default 5000 */
  readonly connectTimeoutMs?: number;
  /**
   * A node's lease on a request it runs (BullMQ's lock duration). A node that cannot renew it for this long stops
   * the session, and another node takes the request over. @default 30000
   */
  readonly leaseMs?: number;
  /** How often nodes look for requests whose lease ran out (BullMQ's stalled-job check). @default 30000 */
  readonly stalledCheckMs?: number;
  /** The git remote workspace branches are pushed to, as the repository names it (or a URL). @default 'origin' */
  readonly remote?: string;
}

/** What a node shows of its fleet: the nodes with their heartbeats, and whether admissions are paused. */
export interface FleetStatus {
  name: string;
  /** This node's id. */
  node: string;
  nodes: FleetNodeView[];
  /** Epoch ms: no node takes a job before then (a rate limit). */
  pausedUntil?: number;
  /** Jobs by BullMQ state (waiting, active, delayed, completed, failed, ...). */
  jobs: Record<string, number>;
}

const OPTIONS = z.object({
  fleet: z.object({
    url: z.string(),
    name: z.string().optional(),
    maxSessions: z.number().int().positive().optional(),
    connectTimeoutMs: z.number().int().positive().optional(),
    leaseMs: z.number().int().min(1000, 'must be at least 1000 ms').optional(),
    stalledCheckMs: z.number().int().min(200, 'must be at least 200 ms').optional(),
    remote: z.string().min(1).optional(),
  }),
});

/** How long a status waits for Redis. */
const STATUS_TIMEOUT_MS = 1_000;

/** The fleet defaults: lease, stalled check, remote. */
export const FLEET_DEFAULTS = { leaseMs: 30_000, stalledCheckMs: 30_000, remote: 'origin' } as const;

/** Runs one job on this node and says how it ended. */
export type RunJob = (data: FleetJobData) => Promise<FleetJobEnd>;

/** A joined fleet: its queue, this node's worker, and its id. */
export class FleetNode {
  readonly id: string;
  readonly name: string;
  readonly #redis: Redis;
  readonly #queue: FleetQueue;
  readonly ledger: FleetLedger;
  readonly nodes: FleetNodes;
  #heartbeat: NodeJS.Timeout | undefined;
  #worker: ReturnType<typeof startFleetWorker> | undefined;
  #control: FleetControl | undefined;
  #paused = false;

  private constructor(redis: Redis, name: string) {
    this.#redis = redis;
    this.name = name;
    this.id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#queue = new FleetQueue(redis, name);
    this.ledger = new FleetLedger(redis, name);
    this.nodes = new FleetNodes(redis, name);
  }

  /** Connects and joins (typed `FleetError`s: nothing is started on failure), then takes jobs with `run`. */
  static async join(
    options: FleetOptions,
    concurrency: number,
    run: RunJob,
    carryOut: (command: FleetCommand) => Promise<boolean>,
    logger: Logger,
    running: () => number,
  ): Promise<FleetNode> {
    // `ConfigError` (ERR_INVALID_OPTION, fields `fleet.leaseMs`, ...) before anything connects.
    validate(OPTIONS, { fleet: options }, ErrorCodes.INVALID_OPTION);
    const name = options.name ?? 'default';
    const redis = await openFleetConnection(options.url, options.connectTimeoutMs);
    try {
      await joinFleet(redis, name);
      const node = new FleetNode(redis, name);
      if (options.maxSessions !== undefined) await node.#queue.setFleetConcurrency(options.maxSessions);
      node.#control = await FleetControl.open(redis, name, node.id, carryOut);
      node.#worker = startFleetWorker(redis, name, {
        concurrency,
        lockDurationMs: options.leaseMs ?? FLEET_DEFAULTS.leaseMs,
        stalledIntervalMs: options.stalledCheckMs ?? FLEET_DEFAULTS.stalledCheckMs,
        run: async (job, handBack) => {
          const end = await run(job.data);
          if (end.kind === 'failed') throw end.error;
          // Left for another node (this one lost its lease, or stops): never settled here.
          if (end.kind === 'left') throw await handBack();
          return { node: node.id, state: end.state, ...(end.sessionId !== undefined && { sessionId: end.sessionId }) };
        },
        accepting: () => !node.#paused,
      });
      const beat = (): void => void node.nodes.beat({ id: node.id, host: hostname(), pid: process.pid, maxSessions: concurrency, running: running(), paused: node.#paused }).catch(() => undefined);
      beat();
      node.#heartbeat = setInterval(beat, HEARTBEAT_MS).unref();
      node.#worker.worker.on('error', (error) => logger.error({ err: error }, 'fleet worker error'));
      node.#worker.worker.on('failed', (job, error) => logger.warn({ requestId: job?.id, err: error }, 'a fleet request failed'));
      return node;
    } catch (error) {
      redis.disconnect();
      throw error;
    }
  }

  /** The fleet as this node sees it. */
  async status(): Promise<FleetStatus> {
    const read = Promise.all([this.nodes.list(), this.pausedUntil(), this.#queue.queue.getJobCounts()]);
    // Commands wait for a Redis that is away (they are sent when it is back): a status does not.
    const away = (): FleetError => new FleetError(ErrorCodes.FLEET_UNREACHABLE, 'fleet.url', this.name, `Redis of fleet ${this.name} does not answer`);
    const [nodes, pausedUntil, jobs] = await rejectAfter(read, STATUS_TIMEOUT_MS, away);
    return { name: this.name, node: this.id, nodes, ...(pausedUntil !== undefined && { pausedUntil }), jobs };
  }

  /** Pauses the whole fleet's admissions until `untilMs` (a rate limit seen here). */
  pauseAll(untilMs: number): Promise<void> {
    return this.#queue.pauseAll(untilMs);
  }

  /** When the fleet's pause ends (epoch ms), or undefined when it takes work. */
  async pausedUntil(): Promise<number | undefined> {
    const ms = await this.#queue.pausedForMs();
    return ms > 0 ? Date.now() + ms : undefined;
  }

  /** Puts a request into the fleet's queue; `DuplicateRequestError` when any node had its id before. */
  submit(requestId: string, priority: SessionPriority, triage: unknown): Promise<void> {
    return this.#queue.submit({ requestId, priority, triage: toJson(triage), submittedBy: this.id });
  }

  /** Carries `command` out on whichever node holds its target; false when none did. */
  relay(command: FleetCommand): Promise<boolean> {
    return this.#control?.relay(command) ?? Promise.resolve(false);
  }

  /** Takes no more jobs; the running ones go on (a node's drain, while the other nodes keep taking work). */
  async pause(): Promise<void> {
    this.#paused = true;
    await this.#worker?.worker.pause(true);
  }

  /** Takes a request that still waits in the fleet's queue out of it; false when it is not waiting there. */
  removeQueued(requestId: string): Promise<boolean> {
    return this.#queue.removeWaiting(requestId);
  }

  /**
   * Stops taking jobs and disconnects at once: a job still running here loses its lock, and BullMQ's stalled-job
   * check gives it to another node, which continues it under a newer lease.
   */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    await this.nodes.leave(this.id).catch(() => undefined);
    this.#control?.close();
    await this.#worker?.close();
    await this.#queue.close();
    this.#redis.disconnect();
  }
}
