import { DEFAULT_PRIORITY_WEIGHTS, PRIORITIES } from '../session/priority.js';
import type { SessionPriority } from '../session/types.js';
import { ConfigError, ErrorCodes } from '../session/errors.js';
import { IndexedBinaryHeap } from './heap.js';

/**
 * A pure priority queue for the session pool: which queued request runs next.
 *
 * Order: higher effective priority first; among equals, earlier `enqueuedAtMs` first, then earlier insertion
 * (`seq`). With aging, a request's effective priority is `weight + (now - enqueuedAtMs) / agingIntervalMs`.
 * Every entry ages at the same rate, so the order of two entries never depends on `now`: it is the order of the
 * static key `weight - enqueuedAtMs / agingIntervalMs` (just `weight` when aging is off). The queue is therefore
 * an ordinary binary heap over that key: no clock, no re-sorting.
 */


export const DEFAULT_AGING_INTERVAL_MS = 60_000;

export interface SchedulerOptions {
  /** Weight of each priority; higher runs first. Default {@link DEFAULT_PRIORITY_WEIGHTS}. */
  weights?: Readonly<Record<SessionPriority, number>>;
  /** Waiting this long raises a request by one weight unit (aging), in ms; 0 disables aging. default 60_000 */
  agingIntervalMs?: number;
}

export interface QueuedEntry<T> {
  readonly id: string;
  readonly priority: SessionPriority;
  readonly enqueuedAtMs: number;
  /** Insertion counter of this scheduler, increasing; breaks ties between equal keys and equal times. */
  readonly seq: number;
  readonly item: T;
}

interface Node<T> {
  readonly entry: QueuedEntry<T>;
  /**
   * The ordering key scaled by agingIntervalMs (> 0): `weight * agingIntervalMs - enqueuedAtMs`, which orders
   * exactly like `weight - enqueuedAtMs / agingIntervalMs` but is exact for integer weights and times (no division).
   * With aging off it is `weight`.
   */
  readonly rank: number;
  /** The node's index in the heap's array (kept by the heap). */
  pos: number;
}

function runsBefore<T>(a: Node<T>, b: Node<T>): boolean {
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (a.entry.enqueuedAtMs !== b.entry.enqueuedAtMs) return a.entry.enqueuedAtMs < b.entry.enqueuedAtMs;
  return a.entry.seq < b.entry.seq;
}

const compareNodes = <T>(a: Node<T>, b: Node<T>): number => (runsBefore(a, b) ? -1 : runsBefore(b, a) ? 1 : 0);

const idOf = <T>(node: Node<T>): string => node.entry.id;

export class PriorityScheduler<T> {
  private readonly weights: Readonly<Record<SessionPriority, number>>;
  private readonly agingIntervalMs: number;
  private readonly heap = new IndexedBinaryHeap<Node<T>>(runsBefore, idOf);
  private nextSeq = 0;

  constructor(options: SchedulerOptions = {}) {
    const weights = options.weights ?? DEFAULT_PRIORITY_WEIGHTS;
    const agingIntervalMs = options.agingIntervalMs ?? DEFAULT_AGING_INTERVAL_MS;
    const issues: { field: string; message: string; value: unknown }[] = [];
    for (const priority of PRIORITIES) {
      const weight: unknown = (weights as Partial<Record<SessionPriority, unknown>>)[priority];
      if (typeof weight !== 'number' || !Number.isFinite(weight)) {
        issues.push({ field: `weights.${priority}`, message: 'must be a finite number', value: weight });
      }
    }
    if (typeof agingIntervalMs !== 'number' || !Number.isFinite(agingIntervalMs) || agingIntervalMs < 0) {
      issues.push({ field: 'agingIntervalMs', message: 'must be a finite number >= 0', value: agingIntervalMs });
    }
    if (issues.length > 0) throw new ConfigError(issues, ErrorCodes.INVALID_OPTION);
    this.weights = Object.freeze({ ...weights });
    this.agingIntervalMs = agingIntervalMs;
  }

  get size(): number {
    return this.heap.size;
  }

  has(id: string): boolean {
    return this.heap.has(id);
  }

  /** Adds an entry; throws if the id is already queued. O(log n). */
  push(id: string, priority: SessionPriority, item: T, enqueuedAtMs: number): QueuedEntry<T> {
    if (this.heap.has(id)) {
      throw new ConfigError([{ field: 'id', message: 'is already queued', value: id }], ErrorCodes.INVALID_OPTION);
    }
    const weight: unknown = Object.hasOwn(this.weights, priority) ? this.weights[priority] : undefined;
    if (typeof weight !== 'number') {
      throw new ConfigError(
        [{ field: 'priority', message: `must be one of ${PRIORITIES.join(', ')}`, value: priority }],
        ErrorCodes.INVALID_OPTION,
      );
    }
    if (typeof enqueuedAtMs !== 'number' || !Number.isFinite(enqueuedAtMs)) {
      throw new ConfigError(
        [{ field: 'enqueuedAtMs', message: 'must be a finite number', value: enqueuedAtMs }],
        ErrorCodes.INVALID_OPTION,
      );
    }
    const entry: QueuedEntry<T> = Object.freeze({ id, priority, enqueuedAtMs, seq: this.nextSeq++, item });
    const rank = this.agingIntervalMs > 0 ? weight * this.agingIntervalMs - enqueuedAtMs : weight;
    this.heap.push({ entry, rank, pos: 0 });
    return entry;
  }

  /** Removes and returns the entry to run next, or undefined. O(log n). */
  pop(): QueuedEntry<T> | undefined {
    return this.heap.pop()?.entry;
  }

  /** The entry that would run next, without removing it. O(1). */
  peek(): QueuedEntry<T> | undefined {
    return this.heap.peek()?.entry;
  }

  /** Removes a queued entry by id (cancellation). O(log n). */
  remove(id: string): QueuedEntry<T> | undefined {
    return this.heap.remove(id)?.entry;
  }

  /** Entries in the order they would run (a sorted copy; O(n log n)), for status views. */
  ordered(): QueuedEntry<T>[] {
    return this.heap
      .values()
      .sort(compareNodes)
      .map((node) => node.entry);
  }

  /** 0-based position of an entry in run order, or -1. O(n). */
  position(id: string): number {
    const target = this.heap.get(id);
    if (target === undefined) return -1;
    let ahead = 0;
    for (const node of this.heap.values()) if (runsBefore(node, target)) ahead++;
    return ahead;
  }

  /** Empties the queue and returns what it held, in run order. O(n log n). */
  clear(): QueuedEntry<T>[] {
    return this.heap
      .clear()
      .sort(compareNodes)
      .map((node) => node.entry);
  }
}
