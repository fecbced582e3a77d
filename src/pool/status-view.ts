import type { QueuedEntry } from './scheduler.js';
import type { Ticket } from './ticket.js';
import type { PoolStatus } from './types.js';
import { estimateWaits } from './wait-estimate.js';

/** What `getPoolStatus` is built from. */
export interface PoolSnapshot {
  nowMs: number;
  capacity: number;
  idleCount: number;
  queued: QueuedEntry<Ticket>[];
  /** Tickets with a running session (`sessionId`, `startedAtMs` set). */
  running: Ticket[];
  retryingCount: number;
  /** Slots taken, spawns in flight included. */
  slotsTaken: number;
  draining: boolean;
  pausedUntilMs: number;
  avgSessionMs: number;
}

/** The pool's status with wait estimates (pure). */
export function poolStatusView(s: PoolSnapshot): PoolStatus {
  const waits = estimateWaits({
    queued: s.queued.length,
    capacity: s.capacity,
    runningElapsedMs: s.running.map((r) => s.nowMs - (r.startedAtMs ?? s.nowMs)),
    starting: s.slotsTaken - s.running.length,
    avgSessionMs: s.avgSessionMs,
  });
  return {
    capacity: s.capacity,
    activeCount: s.running.length,
    idleCount: s.idleCount,
    queuedCount: s.queued.length,
    retryingCount: s.retryingCount,
    utilization: Math.round((s.running.length / s.capacity) * 1000) / 10,
    draining: s.draining,
    pausedUntil: s.pausedUntilMs > s.nowMs ? new Date(s.pausedUntilMs) : undefined,
    activeSessions: s.running.map((r) => ({
      requestId: r.request.requestId,
      sessionId: r.sessionId ?? '',
      priority: r.priority,
      startedAt: new Date(r.startedAtMs ?? s.nowMs),
    })),
    queuedRequests: s.queued.map((e, position) => ({
      requestId: e.id,
      priority: e.priority,
      queuedAt: e.item.request.queuedAt ?? new Date(e.enqueuedAtMs),
      position,
      waitedMs: s.nowMs - e.item.waitStartMs,
      estimatedWaitTime: waits[position] ?? 0,
    })),
  };
}
