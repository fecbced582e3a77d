// The dashboard's live feed: rows of sessions as they start, change and end, the pending approvals when they
// change, and the pool's status. Timers run only while someone listens.
import type { StoredSession } from '../store/types.js';
import type { VPDaemon } from './daemon.js';
import { toRow, type SessionRow } from './session-rows.js';

/** One event of the feed: `session` (a row to upsert), `approvals` (the pending list), `status`. */
export interface FeedEvent {
  type: 'session' | 'approvals' | 'status';
  data: unknown;
}

const LIVE_EVERY_MS = 1000;
const STATUS_EVERY_MS = 2000;

/** Builds rows of sessions, and pushes them to subscribers as they change. */
export class DashboardFeed {
  readonly #daemon: VPDaemon;
  readonly #listeners = new Set<(event: FeedEvent) => void>();
  readonly #lastSent = new Map<string, string>();
  #timers: NodeJS.Timeout[] = [];

  constructor(daemon: VPDaemon) {
    this.#daemon = daemon;
    const { pool, spawner } = daemon;
    pool.on('session-allocated', ({ sessionId }) => {
      this.#sendRow(sessionId);
      this.#sendStatus();
    });
    daemon.on('session-ended', ({ sessionId }) => {
      this.#sendRow(sessionId);
      this.#lastSent.delete(sessionId);
      this.#sendStatus();
    });
    pool.on('request-queued', () => this.#sendStatus());
    const approvalsChanged = ({ sessionId }: { sessionId: string }): void => {
      this.#send({ type: 'approvals', data: spawner.getPendingApprovals() });
      this.#sendRow(sessionId);
    };
    spawner.on('approval-requested', approvalsChanged);
    spawner.on('approval-resolved', approvalsChanged);
  }

  /** The row of one session (live figures while it runs), or undefined when the store has none. */
  row(sessionId: string, stored: StoredSession | undefined = this.#daemon.store.getSession(sessionId)): SessionRow | undefined {
    if (!stored) return undefined;
    const live = this.#daemon.spawner.getSessionStatus(sessionId);
    const running = live !== null && stored.endedAt === undefined;
    const waiting = new Set(this.#daemon.spawner.getPendingApprovals().map((a) => a.sessionId));
    return toRow(stored, running ? { state: live.state, summary: this.#daemon.sessionSummary(sessionId, live) } : undefined, waiting.has(sessionId));
  }

  /** Calls `listener` with every event until the returned function is called. */
  subscribe(listener: (event: FeedEvent) => void): () => void {
    this.#listeners.add(listener);
    if (this.#timers.length === 0) {
      this.#timers = [setInterval(() => this.#sendLiveRows(), LIVE_EVERY_MS), setInterval(() => this.#sendStatus(), STATUS_EVERY_MS)];
      for (const timer of this.#timers) timer.unref();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size > 0) return;
      for (const timer of this.#timers) clearInterval(timer);
      this.#timers = [];
      this.#lastSent.clear();
    };
  }

  #send(event: FeedEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }

  #sendStatus(): void {
    if (this.#listeners.size > 0) this.#send({ type: 'status', data: this.#daemon.getStatus() });
  }

  // Only what changed since it was last sent.
  #sendRow(sessionId: string): void {
    if (this.#listeners.size === 0) return;
    const row = this.row(sessionId);
    if (!row) return;
    const text = JSON.stringify(row);
    if (this.#lastSent.get(sessionId) === text) return;
    this.#lastSent.set(sessionId, text);
    this.#send({ type: 'session', data: row });
  }

  #sendLiveRows(): void {
    for (const { sessionId } of this.#daemon.spawner.getActiveSessions()) this.#sendRow(sessionId);
  }
}
