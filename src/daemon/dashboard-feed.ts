// The dashboard's live feed: rows of sessions as they start, change and end, the pending approvals when they
// change, and the pool's status. Timers run only while someone listens.
import type { StoredSession } from '../store/types.js';
import type { Logger } from '../utils/logger.js';
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
  #statusSeq = 0;
  readonly #logger: Logger;
  readonly #listeners = new Set<(event: FeedEvent) => void>();
  readonly #lastSent = new Map<string, string>();
  readonly #detach: (() => void)[] = [];
  #timers: NodeJS.Timeout[] = [];

  constructor(daemon: VPDaemon, logger: Logger) {
    this.#daemon = daemon;
    this.#logger = logger;
    const { pool, spawner } = daemon;
    const allocated = ({ sessionId }: { sessionId: string }): void => this.#safely(() => (this.#sendRow(sessionId), this.#sendStatus()));
    const ended = ({ sessionId }: { sessionId: string }): void =>
      this.#safely(() => {
        this.#sendRow(sessionId);
        this.#lastSent.delete(sessionId);
        this.#sendStatus();
      });
    const queued = (): void => this.#safely(() => this.#sendStatus());
    const approvalsChanged = ({ sessionId }: { sessionId: string }): void =>
      this.#safely(() => {
        if (this.#listeners.size === 0) return;
        this.#send({ type: 'approvals', data: spawner.getPendingApprovals() });
        this.#sendRow(sessionId);
      });
    pool.on('session-allocated', allocated);
    daemon.on('session-ended', ended);
    pool.on('request-queued', queued);
    spawner.on('approval-requested', approvalsChanged);
    spawner.on('approval-resolved', approvalsChanged);
    this.#detach.push(
      () => pool.off('session-allocated', allocated),
      () => daemon.off('session-ended', ended),
      () => pool.off('request-queued', queued),
      () => spawner.off('approval-requested', approvalsChanged),
      () => spawner.off('approval-resolved', approvalsChanged),
    );
  }

  /** Detaches from the daemon and ends the timers. */
  close(): void {
    for (const detach of this.#detach.splice(0)) detach();
    this.#listeners.clear();
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  // Called from the daemon's own events and timers: a failure here is logged, never thrown into them.
  #safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#logger.error({ err: error }, 'the dashboard feed failed to send an update');
    }
  }

  /** The row of one session (live figures while it runs), or undefined when the store has none. */
  row(sessionId: string, stored: StoredSession | undefined = this.#daemon.store.getSession(sessionId), waiting: ReadonlySet<string> = this.waitingSessions()): SessionRow | undefined {
    if (!stored) return undefined;
    // An ended session's stored summary is final: its live status (a deep copy) is not needed.
    const live = stored.endedAt === undefined ? this.#daemon.spawner.getSessionStatus(sessionId) : null;
    return toRow(stored, live ? { state: live.state, summary: this.#daemon.sessionSummary(sessionId, live) } : undefined, waiting.has(sessionId));
  }

  /** The sessions with a call waiting for approval. */
  waitingSessions(): Set<string> {
    return new Set(this.#daemon.spawner.getPendingApprovals().map((a) => a.sessionId));
  }

  /** Calls `listener` with every event until the returned function is called. */
  subscribe(listener: (event: FeedEvent) => void): () => void {
    this.#listeners.add(listener);
    if (this.#timers.length === 0) {
      this.#timers = [setInterval(() => this.#safely(() => this.#sendLiveRows()), LIVE_EVERY_MS), setInterval(() => this.#safely(() => this.#sendStatus()), STATUS_EVERY_MS)];
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
    for (const listener of [...this.#listeners]) this.#safely(() => listener(event));
  }

  #sendStatus(): void {
    if (this.#listeners.size === 0) return;
    const status = this.#daemon.getStatus();
    const seq = ++this.#statusSeq;
    // In a fleet the status carries its nodes (read from Redis); without an answer, this node's status alone. A
    // status overtaken by a newer one while Redis answered is not sent.
    const send = (data: unknown): void => void (seq === this.#statusSeq && this.#send({ type: 'status', data }));
    void this.#daemon.fleetStatus().then(
      (fleet) => send({ ...status, fleet }),
      () => send(status),
    );
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
