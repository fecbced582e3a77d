import { mkdirSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { ConfigError, isVpDaemonError, SessionNotFoundError, StateDirError } from '../session/errors.js';
import * as codec from './codec.js';
import type { ApprovalRow, CrashRow, RequestRow, SessionRow } from './codec.js';
import { acquireLock, type DaemonLock } from './lock.js';
import { openDatabase } from './schema.js';
import type { RequestState, StoredApproval, StoredCrash, StoredRequest, StoredSession } from './types.js';

export { toJson } from './codec.js';
export type { RequestState, StoredApproval, StoredCrash, StoredRequest, StoredSession } from './types.js';

/** The database file's name inside the state folder. */
export const DB_FILE = 'vp-daemon.db';

type Params = Record<string, string | number | null>;
const ANY_STATE = '(@states IS NULL OR state IN (SELECT value FROM json_each(@states)))';
const SQL = {
  insertRequest: `INSERT INTO requests (request_id, priority, triage, state, session_id, attempts, created_at, updated_at, error)
    VALUES (@requestId, @priority, @triage, @state, @sessionId, @attempts, @now, @now, @error)`,
  updateRequest: `UPDATE requests SET state = coalesce(@state, state), attempts = coalesce(@attempts, attempts),
    session_id = CASE WHEN @setSession THEN @sessionId ELSE session_id END,
    error = CASE WHEN @setError THEN @error ELSE error END, updated_at = @now WHERE request_id = @requestId`,
  getRequest: 'SELECT * FROM requests WHERE request_id = @id',
  listRequests: `SELECT * FROM requests WHERE ${ANY_STATE} ORDER BY created_at, rowid LIMIT @limit`,
  insertSession: `INSERT INTO sessions (session_id, request_id, claude_session_id, pid, working_directory, state, started_at, status, summary)
    VALUES (@sessionId, @requestId, @claudeSessionId, @pid, @workingDirectory, @state, @startedAt, @status, @summary)`,
  endSession: `UPDATE sessions SET state = @state, outcome = @outcome, ended_at = @endedAt, status = coalesce(@status, status),
    summary = coalesce(@summary, summary) WHERE session_id = @sessionId`,
  pageSessions: `SELECT session_id, request_id, claude_session_id, pid, working_directory, state, outcome, started_at, ended_at, summary
    FROM sessions ORDER BY started_at DESC, rowid DESC LIMIT @limit OFFSET @offset`,
  countSessions: 'SELECT count(*) AS n FROM sessions',
  countByState: 'SELECT state, count(*) AS n FROM sessions GROUP BY state',
  endedSummaries: 'SELECT ended_at, summary FROM sessions WHERE ended_at IS NOT NULL ORDER BY ended_at DESC LIMIT @limit',
  crashCounts: 'SELECT crash_class, count(*) AS n FROM crashes GROUP BY crash_class',
  getSession: 'SELECT * FROM sessions WHERE session_id = @id',
  listSessions: `SELECT * FROM sessions WHERE ${ANY_STATE} AND (@requestId IS NULL OR request_id = @requestId)
    ORDER BY started_at DESC, rowid DESC LIMIT @limit`,
  unfinishedSessions: 'SELECT * FROM sessions WHERE ended_at IS NULL ORDER BY started_at, rowid',
  insertCrash: `INSERT INTO crashes (session_id, crash_class, crash_type, analysis, dump_path, at)
    VALUES (@sessionId, @crashClass, @crashType, @analysis, @dumpPath, @at)`,
  setCrashDump: 'UPDATE crashes SET dump_path = @dumpPath WHERE id = @id',
  listCrashes: 'SELECT * FROM crashes WHERE (@sessionId IS NULL OR session_id = @sessionId) ORDER BY at DESC, id DESC LIMIT @limit',
  upsertApproval: `INSERT INTO approvals (approval_id, session_id, tool_name, input, reason, state, requested_at, resolved_at, resolution)
    VALUES (@approvalId, @sessionId, @toolName, @input, @reason, @state, @requestedAt, @resolvedAt, @resolution)
    ON CONFLICT (approval_id) DO UPDATE SET session_id = excluded.session_id, tool_name = excluded.tool_name,
      input = excluded.input, reason = excluded.reason, state = excluded.state, requested_at = excluded.requested_at,
      resolved_at = excluded.resolved_at, resolution = excluded.resolution`,
  listApprovals: `SELECT * FROM approvals WHERE ${ANY_STATE} AND (@sessionId IS NULL OR session_id = @sessionId)
    ORDER BY requested_at, rowid`,
} as const;

/**
 * The daemon's durable state: requests, sessions, crashes and approvals in one SQLite file
 * (`<stateDir>/vp-daemon.db`, WAL, fsync at each commit, foreign keys on). One daemon per state folder, enforced by
 * `<stateDir>/daemon.lock`. Every method is synchronous; each write is one transaction, and `transaction()` groups
 * several into one. Sessions must be recorded before the crashes and approvals that name them, and a session's
 * `requestId`, when set, must name a stored request (foreign keys; SqliteError `SQLITE_CONSTRAINT_FOREIGNKEY`).
 */
export class DaemonStore {
  private readonly stmt: { [K in keyof typeof SQL]: Database.Statement<[Params]> };
  private closed = false;

  private constructor(
    /** Absolute path of the database file. */
    readonly path: string,
    private readonly db: Database.Database,
    private readonly lock: DaemonLock,
  ) {
    const entries = Object.entries(SQL).map(([name, sql]) => [name, db.prepare<[Params]>(sql)]);
    this.stmt = Object.fromEntries(entries) as typeof this.stmt;
  }

  /**
   * Opens (creating if missing) <stateDir>/vp-daemon.db; takes the daemon lock of that folder.
   * The folder is created with mode 0o700 when missing; the database and lock files are owner-only (0o600).
   * @throws DaemonRunningError (`ERR_DAEMON_RUNNING`) when a live daemon, this process included, holds the folder.
   * @throws StoreCorruptError (`ERR_STORE_CORRUPT`) / StoreForeignError (`ERR_STORE_FOREIGN`); the file is left untouched.
   * @throws StateDirError (`ERR_STATE_DIR_UNWRITABLE`) when the folder cannot be created or locked.
   */
  static open(stateDir: string): DaemonStore {
    let dir = resolve(stateDir);
    let lock: DaemonLock;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      dir = realpathSync(dir);
      lock = acquireLock(dir);
    } catch (error) {
      throw isVpDaemonError(error) ? error : new StateDirError(dir, { cause: error });
    }
    try {
      const path = join(dir, DB_FILE);
      return new DaemonStore(path, openDatabase(path), lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** Closes the database and releases the lock (only if the lock file is still ours). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.close();
    } finally {
      this.lock.release();
    }
  }

  /** Runs `fn` (synchronous) in one transaction: all its writes commit together or none does. Nests as a savepoint. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Stores a new request; `triage` goes through `toJson`. Throws SqliteError `SQLITE_CONSTRAINT_PRIMARYKEY` for a known id. */
  insertRequest(r: Omit<StoredRequest, 'createdAt' | 'updatedAt' | 'attempts'> & { attempts?: number }): void {
    const { requestId, priority, state } = r;
    const triage = codec.jsonText(r.triage);
    this.stmt.insertRequest.run({ requestId, priority, triage, state, sessionId: r.sessionId ?? null, attempts: r.attempts ?? 0, now: Date.now(), error: r.error ?? null });
  }

  /**
   * Changes the given fields and `updatedAt`. A `sessionId` or `error` key present with value undefined clears it.
   * @throws ConfigError (`ERR_INVALID_OPTION`, field `requestId`) when no such request is stored.
   */
  updateRequest(requestId: string, patch: Partial<Pick<StoredRequest, 'state' | 'sessionId' | 'attempts' | 'error'>>): void {
    const result = this.stmt.updateRequest.run({
      requestId,
      state: patch.state ?? null,
      attempts: patch.attempts ?? null,
      setSession: 'sessionId' in patch ? 1 : 0,
      sessionId: patch.sessionId ?? null,
      setError: 'error' in patch ? 1 : 0,
      error: patch.error ?? null,
      now: Date.now(),
    });
    if (result.changes === 0) {
      throw new ConfigError([{ field: 'requestId', message: 'no stored request has this id', value: requestId }], 'ERR_INVALID_OPTION');
    }
  }

  /** The stored request, or undefined. */
  getRequest(requestId: string): StoredRequest | undefined {
    const row = this.stmt.getRequest.get({ id: requestId }) as RequestRow | undefined;
    return row && codec.requestFromRow(row);
  }

  /** Requests, oldest first, optionally only those in the given state(s) and at most `limit`. */
  listRequests(filter: { state?: RequestState | RequestState[]; limit?: number } = {}): StoredRequest[] {
    const rows = this.stmt.listRequests.all({ states: codec.toSet(filter.state), limit: codec.toLimit(filter.limit) }) as RequestRow[];
    return rows.map(codec.requestFromRow);
  }

  /** Records a started session (`state` defaults to `running`), with its first status when given. */
  recordSessionStarted(s: Omit<StoredSession, 'state' | 'endedAt' | 'outcome'> & { state?: string }): void {
    const { sessionId, claudeSessionId, workingDirectory } = s;
    const startedAt = codec.toMs(s.startedAt, 'startedAt');
    const status = s.status === undefined ? null : codec.jsonText(s.status);
    const summary = s.summary === undefined ? null : codec.jsonText(s.summary);
    this.stmt.insertSession.run({ sessionId, requestId: s.requestId ?? null, claudeSessionId, pid: s.pid ?? null, workingDirectory, state: s.state ?? 'running', startedAt, status, summary });
  }

  /**
   * Records how a session ended (`status` goes through `toJson`; without one, the first status stays). Recording again overwrites.
   * @throws SessionNotFoundError when the session was never recorded as started.
   */
  recordSessionEnded(sessionId: string, end: { state: string; outcome?: string; endedAt: Date; status?: unknown; summary?: unknown }): void {
    const status = end.status === undefined ? null : codec.jsonText(end.status);
    const summary = end.summary === undefined ? null : codec.jsonText(end.summary);
    const endedAt = codec.toMs(end.endedAt, 'endedAt');
    const result = this.stmt.endSession.run({ sessionId, state: end.state, outcome: end.outcome ?? null, endedAt, status, summary });
    if (result.changes === 0) throw new SessionNotFoundError(sessionId);
  }

  /** The stored session, or undefined. */
  getSession(sessionId: string): StoredSession | undefined {
    const row = this.stmt.getSession.get({ id: sessionId }) as SessionRow | undefined;
    return row && codec.sessionFromRow(row);
  }

  /** Sessions, newest (latest `startedAt`) first, optionally filtered by state(s) and request, at most `limit`. */
  listSessions(filter: { state?: string | string[]; requestId?: string; limit?: number } = {}): StoredSession[] {
    const params = { states: codec.toSet(filter.state), requestId: filter.requestId ?? null, limit: codec.toLimit(filter.limit) };
    return (this.stmt.listSessions.all(params) as SessionRow[]).map(codec.sessionFromRow);
  }

  /** One page of sessions, newest first, without their statuses (summaries only); with the count of all. */
  pageSessions(page: { offset?: number; limit?: number } = {}): { total: number; sessions: StoredSession[] } {
    const params = { offset: codec.toLimit(page.offset ?? 0), limit: codec.toLimit(page.limit ?? 100) };
    const sessions = (this.stmt.pageSessions.all(params) as SessionRow[]).map(codec.sessionFromRow);
    return { total: (this.stmt.countSessions.get({}) as { n: number }).n, sessions };
  }

  /** How many sessions are recorded in each state. */
  sessionCountsByState(): Record<string, number> {
    const rows = this.stmt.countByState.all({}) as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /** How many crashes are recorded of each class. */
  crashCountsByClass(): Record<string, number> {
    const rows = this.stmt.crashCounts.all({}) as { crash_class: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.crash_class, r.n]));
  }

  /** The last `limit` ended sessions' end times and summaries, oldest end first. */
  endedSummaries(limit = 10_000): { endedAt: Date; summary?: unknown }[] {
    const rows = (this.stmt.endedSummaries.all({ limit: codec.toLimit(limit) }) as { ended_at: number; summary: string | null }[]).reverse();
    return rows.map((r) => ({ endedAt: new Date(r.ended_at), ...(r.summary !== null && { summary: JSON.parse(r.summary) as unknown }) }));
  }

  /** Sessions recorded as started and never ended (after a daemon crash: candidates for recovery). Oldest first. */
  unfinishedSessions(): StoredSession[] {
    return (this.stmt.unfinishedSessions.all({}) as SessionRow[]).map(codec.sessionFromRow);
  }

  /** Stores a crash (`analysis` goes through `toJson`; `at` defaults to now) and returns its id. */
  insertCrash(c: Omit<StoredCrash, 'id' | 'at'> & { at?: Date }): number {
    const at = c.at === undefined ? Date.now() : codec.toMs(c.at, 'at');
    const { sessionId, crashClass, crashType } = c;
    const params = { sessionId, crashClass, crashType, analysis: codec.jsonText(c.analysis), dumpPath: c.dumpPath ?? null, at };
    return Number(this.stmt.insertCrash.run(params).lastInsertRowid);
  }

  /** Records where a stored crash's dump was written. */
  setCrashDump(id: number, dumpPath: string): void {
    this.stmt.setCrashDump.run({ id, dumpPath });
  }

  /** Crashes, newest first, optionally of one session, at most `limit`. */
  listCrashes(filter: { sessionId?: string; limit?: number } = {}): StoredCrash[] {
    const rows = this.stmt.listCrashes.all({ sessionId: filter.sessionId ?? null, limit: codec.toLimit(filter.limit) }) as CrashRow[];
    return rows.map(codec.crashFromRow);
  }

  /** Stores an approval, or replaces every field of the one with the same `approvalId`. */
  upsertApproval(a: StoredApproval): void {
    const { approvalId, sessionId, toolName, reason, state } = a;
    const requestedAt = codec.toMs(a.requestedAt, 'requestedAt');
    const resolvedAt = a.resolvedAt === undefined ? null : codec.toMs(a.resolvedAt, 'resolvedAt');
    const input = codec.jsonText(a.input);
    this.stmt.upsertApproval.run({ approvalId, sessionId, toolName, input, reason, state, requestedAt, resolvedAt, resolution: a.resolution ?? null });
  }

  /** Approvals, oldest request first, optionally in one state and/or of one session. */
  listApprovals(filter: { state?: StoredApproval['state']; sessionId?: string } = {}): StoredApproval[] {
    const rows = this.stmt.listApprovals.all({ states: codec.toSet(filter.state), sessionId: filter.sessionId ?? null }) as ApprovalRow[];
    return rows.map(codec.approvalFromRow);
  }
}
