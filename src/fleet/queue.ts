// The fleet's one queue of requests, on BullMQ: every node submits to it, and each takes jobs up to its own limit
// while BullMQ's global concurrency caps the fleet. A request's id is its job id and its idempotency key.
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { DuplicateRequestError } from '../session/errors.js';
import type { SessionPriority } from '../session/types.js';
import { fleetPrefix } from './identity.js';

const QUEUE = 'requests';
// BullMQ runs priority 1 first.
const PRIORITY: Record<SessionPriority, number> = { critical: 1, high: 2, medium: 3, low: 4 };
/** How long a request id stays taken after its submission (a resubmit within it is refused). */
export const IDEMPOTENCY_TTL_S = 7 * 24 * 3600;

/** What a fleet job carries: the triage request as JSON (RegExp as '/source/flags'), and who submitted it. */
export interface FleetJobData {
  requestId: string;
  priority: SessionPriority;
  triage: unknown;
  submittedBy: string;
}

/** What a node reports when it has run a job. */
export interface FleetJobResult {
  node: string;
  sessionId?: string;
  state: string;
}

/** The queue as a node submits to it. */
export class FleetQueue {
  readonly queue: Queue<FleetJobData, FleetJobResult>;
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, fleetName: string) {
    this.#redis = redis;
    this.#prefix = fleetPrefix(fleetName);
    this.queue = new Queue(QUEUE, { connection: redis, prefix: this.#prefix });
  }

  /** Queues a request; `DuplicateRequestError` when its id was submitted before, by any node. */
  async submit(data: FleetJobData): Promise<void> {
    const taken = await this.#redis.set(`${this.#prefix}:request:${data.requestId}`, data.submittedBy, 'EX', IDEMPOTENCY_TTL_S, 'NX');
    if (taken !== 'OK') throw new DuplicateRequestError(data.requestId);
    await this.queue.add('request', data, { jobId: data.requestId, priority: PRIORITY[data.priority], removeOnComplete: { count: 10_000 }, removeOnFail: { count: 10_000 } });
  }

  /** Removes the job of a request that still waits (not one a node runs); whether it did. */
  async removeWaiting(requestId: string): Promise<boolean> {
    const state = await (await this.queue.getJob(requestId))?.getState();
    if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return false;
    return (await this.queue.remove(requestId)) === 1;
  }

  /** The most sessions the whole fleet runs at once (BullMQ global concurrency). */
  async setFleetConcurrency(max: number): Promise<void> {
    await this.queue.setGlobalConcurrency(max);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/** Takes jobs of the fleet's queue, at most `concurrency` at once on this node, and runs each with `run`. */
export function startFleetWorker(
  redis: Redis,
  fleetName: string,
  options: {
    concurrency: number;
    run: (job: Job<FleetJobData, FleetJobResult>) => Promise<FleetJobResult>;
    /** False while this node takes no work (a drain): a job it still got goes back to the queue for another node. */
    accepting?: () => boolean;
  },
): { worker: Worker<FleetJobData, FleetJobResult>; close: () => Promise<void> } {
  // BullMQ leaves a connection it was given open: this one is the worker's, closed with it.
  const connection = redis.duplicate({ maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const process = async (job: Job<FleetJobData, FleetJobResult>, token?: string): Promise<FleetJobResult> => {
    if (options.accepting?.() === false) {
      // Fetched as the worker was pausing: handed back, to run where work is taken.
      await job.moveToDelayed(Date.now() + 200, token);
      throw new DelayedError();
    }
    return options.run(job);
  };
  const worker = new Worker<FleetJobData, FleetJobResult>(QUEUE, process, {
    connection,
    prefix: fleetPrefix(fleetName),
    concurrency: options.concurrency,
    // A stalled job goes back to the queue once; a second stall fails it (the request is not run a third time).
    maxStalledCount: 1,
  });
  return {
    worker,
    close: async () => {
      // Not waiting for running jobs: they lose their lock, and the stalled-job check gives them to another node.
      await worker.close(true);
      connection.disconnect();
    },
  };
}
