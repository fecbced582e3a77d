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
// Workers carry a limiter whose count is never reached by itself: it makes them obey `pauseAll` (BullMQ's manual
// rate limit), which sets the count past it until the pause ends.
const NEVER_REACHED = { max: 1e12, duration: 60_000 };

/** How long a request id stays taken after its submission (a resubmit within it is refused). */
export const IDEMPOTENCY_TTL_S = 7 * 24 * 3600;

/**
 * A request's job id: BullMQ keeps a job under `<queue>:<job id>`, beside its own keys (`stalled`, `wait`, `meta`,
 * ...), so a request id is never used as it is.
 */
export const jobIdOf = (requestId: string): string => `req-${encodeURIComponent(requestId)}`;

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
    try {
      await this.queue.add('request', data, { jobId: jobIdOf(data.requestId), priority: PRIORITY[data.priority], removeOnComplete: { count: 10_000 }, removeOnFail: { count: 10_000 } });
    } catch (error) {
      // Not queued: the id is free again for a resubmit.
      await this.#redis.del(`${this.#prefix}:request:${data.requestId}`).catch(() => undefined);
      throw error;
    }
  }

  /** Removes the job of a request that still waits (not one a node runs); whether it did. */
  async removeWaiting(requestId: string): Promise<boolean> {
    const state = await (await this.queue.getJob(jobIdOf(requestId)))?.getState();
    if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return false;
    return (await this.queue.remove(jobIdOf(requestId))) === 1;
  }

  /** No node of the fleet takes a job before `untilMs` (a rate limit); a shorter pause than the current one is ignored. */
  async pauseAll(untilMs: number): Promise<void> {
    const ms = Math.ceil(untilMs - Date.now());
    if (ms > 0 && ms > (await this.pausedForMs())) await this.queue.rateLimit(ms);
  }

  /** How long the fleet's pause still lasts (0: none). */
  pausedForMs(): Promise<number> {
    return this.queue.getRateLimitTtl(NEVER_REACHED.max);
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
    /** Runs a job; `handBack` puts it back in the queue for any node (a `DelayedError` to throw, the worker's way). */
    run: (job: Job<FleetJobData, FleetJobResult>, handBack: () => Promise<DelayedError>) => Promise<FleetJobResult>;
    /** BullMQ's lock duration: a node that does not renew it for this long loses the job. */
    lockDurationMs?: number;
    /** How often BullMQ looks for jobs whose lock ran out, to give them to another node. */
    stalledIntervalMs?: number;
    /** False while this node takes no work (a drain): a job it still got goes back to the queue for another node. */
    accepting?: () => boolean;
  },
): { worker: Worker<FleetJobData, FleetJobResult>; close: () => Promise<void> } {
  // BullMQ leaves a connection it was given open: this one is the worker's, closed with it.
  const connection = redis.duplicate({ maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const process = async (job: Job<FleetJobData, FleetJobResult>, token?: string): Promise<FleetJobResult> => {
    // Refused when the lock is another node's by now: then the job is already where it belongs.
    const handBack = async (): Promise<DelayedError> => {
      await job.moveToDelayed(Date.now() + 200, token).catch(() => undefined);
      return new DelayedError();
    };
    // Fetched as the worker was pausing: handed back, to run where work is taken.
    if (options.accepting?.() === false) throw await handBack();
    return options.run(job, handBack);
  };
  const worker = new Worker<FleetJobData, FleetJobResult>(QUEUE, process, {
    connection,
    prefix: fleetPrefix(fleetName),
    concurrency: options.concurrency,
    limiter: NEVER_REACHED,
    // A job whose node died goes back to the queue, for another node to take over; after 10 such deaths it fails.
    maxStalledCount: 10,
    ...(options.lockDurationMs !== undefined && { lockDuration: options.lockDurationMs }),
    ...(options.stalledIntervalMs !== undefined && { stalledInterval: options.stalledIntervalMs }),
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
