// A daemon as a node of a fleet: requests go into the fleet's BullMQ queue, this node runs the jobs it takes through
// its own pool, and approvals, denials, cancels and terminations reach the node that holds their target. Not yet:
// fencing tokens, takeover in the same conversation, fleet-wide pauses (see the README's fleet section).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { openFleetConnection } from '../fleet/connection.js';
import { FleetControl, type FleetCommand } from '../fleet/control.js';
import { joinFleet } from '../fleet/identity.js';
import { FleetQueue, startFleetWorker, type FleetJobData } from '../fleet/queue.js';
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
}

/** Runs one job on this node: resolves with the final state once the request has ended. */
export type RunJob = (data: FleetJobData) => Promise<{ sessionId?: string; state: string }>;

/** A joined fleet: its queue, this node's worker, and its id. */
export class FleetNode {
  readonly id: string;
  readonly name: string;
  readonly #redis: Redis;
  readonly #queue: FleetQueue;
  #worker: ReturnType<typeof startFleetWorker> | undefined;
  #control: FleetControl | undefined;
  #paused = false;

  private constructor(redis: Redis, name: string) {
    this.#redis = redis;
    this.name = name;
    this.id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#queue = new FleetQueue(redis, name);
  }

  /** Connects and joins (typed `FleetError`s: nothing is started on failure), then takes jobs with `run`. */
  static async join(
    options: FleetOptions,
    concurrency: number,
    run: RunJob,
    carryOut: (command: FleetCommand) => Promise<boolean>,
    logger: Logger,
  ): Promise<FleetNode> {
    const name = options.name ?? 'default';
    const redis = await openFleetConnection(options.url, options.connectTimeoutMs);
    try {
      await joinFleet(redis, name);
      const node = new FleetNode(redis, name);
      if (options.maxSessions !== undefined) await node.#queue.setFleetConcurrency(options.maxSessions);
      node.#control = await FleetControl.open(redis, name, node.id, carryOut);
      node.#worker = startFleetWorker(redis, name, {
        concurrency,
        run: async (job) => ({ node: node.id, ...(await run(job.data)) }),
        accepting: () => !node.#paused,
      });
      node.#worker.worker.on('error', (error) => logger.error({ err: error }, 'fleet worker error'));
      node.#worker.worker.on('failed', (job, error) => logger.warn({ requestId: job?.id, err: error }, 'a fleet request failed'));
      return node;
    } catch (error) {
      redis.disconnect();
      throw error;
    }
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
   * check gives it to another node (from the start: at least once, not exactly once yet).
   */
  async close(): Promise<void> {
    this.#control?.close();
    await this.#worker?.close();
    await this.#queue.close();
    this.#redis.disconnect();
  }
}
