import { chmodSync, closeSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreCorruptError, StoreForeignError } from '../session/errors.js';

/** `PRAGMA application_id` of a vp-daemon state database: 'VPD1'. */
export const APPLICATION_ID = 0x56504431;
/** The newest schema this code knows; `PRAGMA user_version` of an up-to-date database. */
export const SCHEMA_VERSION = 2;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** MIGRATIONS[n] takes a database from schema version n to n + 1. Published entries are never changed. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE requests (
    request_id TEXT PRIMARY KEY,
    priority   TEXT NOT NULL,
    triage     TEXT NOT NULL,                 -- JSON
    state      TEXT NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    session_id TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at INTEGER NOT NULL,              -- epoch ms
    updated_at INTEGER NOT NULL,
    error      TEXT
  );
  CREATE INDEX requests_by_state ON requests (state, created_at);
  CREATE TABLE sessions (
    session_id        TEXT PRIMARY KEY,
    request_id        TEXT REFERENCES requests (request_id),
    claude_session_id TEXT NOT NULL,
    pid               INTEGER,
    working_directory TEXT NOT NULL,
    state             TEXT NOT NULL,
    outcome           TEXT,
    started_at        INTEGER NOT NULL,
    ended_at          INTEGER,
    status            TEXT                    -- JSON
  );
  CREATE INDEX sessions_by_start ON sessions (started_at);
  CREATE INDEX sessions_by_request ON sessions (request_id);
  CREATE INDEX sessions_unfinished ON sessions (started_at) WHERE ended_at IS NULL;
  CREATE TABLE crashes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT NOT NULL REFERENCES sessions (session_id),
    crash_class TEXT NOT NULL,
    crash_type  TEXT NOT NULL,
    analysis    TEXT NOT NULL,                -- JSON
    dump_path   TEXT,
    at          INTEGER NOT NULL
  );
  CREATE INDEX crashes_by_session ON crashes (session_id, at);
  CREATE TABLE approvals (
    approval_id  TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL REFERENCES sessions (session_id),
    tool_name    TEXT NOT NULL,
    input        TEXT NOT NULL,               -- JSON
    reason       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied')),
    requested_at INTEGER NOT NULL,
    resolved_at  INTEGER,
    resolution   TEXT
  );
  CREATE INDEX approvals_by_state ON approvals (state, requested_at);
  CREATE INDEX approvals_by_session ON approvals (session_id);
  `,
  // A session's figures for lists (task, charter, tokens, cost, branch, ...), small next to its status; the sessions
  // already recorded get theirs from their status and their request.
  `
  ALTER TABLE sessions ADD COLUMN summary TEXT;  -- JSON
  CREATE INDEX sessions_by_end ON sessions (ended_at) WHERE ended_at IS NOT NULL;
  UPDATE sessions SET summary = json_patch(
    json_object(
      'tokens', coalesce(json_extract(status, '$.tokenUsage.total'), 0),
      'costUsd', coalesce(json_extract(status, '$.costUsd'), 0),
      'commands', coalesce(json_extract(status, '$.metrics.commandsExecuted'), 0),
      'files', coalesce(json_extract(status, '$.metrics.filesModified'), 0)
    ),
    json_object(
      'taskId', (SELECT json_extract(r.triage, '$.task.id') FROM requests r WHERE r.request_id = sessions.request_id),
      'charter', (SELECT json_extract(r.triage, '$.charter.identity.name') FROM requests r WHERE r.request_id = sessions.request_id),
      'priority', (SELECT r.priority FROM requests r WHERE r.request_id = sessions.request_id),
      'branch', json_extract(status, '$.workspace.branch'),
      'workspacePath', json_extract(status, '$.workspace.path')
    )
  ) WHERE status IS NOT NULL;
  `,
];

const isCorruption = (error: unknown): boolean =>
  error instanceof Database.SqliteError && /^SQLITE_(CORRUPT|NOTADB)/.test(error.code);

/**
 * Opens the state database at `path` read-write, creating it (mode 0o600) when missing, and brings its schema up to
 * date. An existing file is first checked without being written: a bad header (StoreCorruptError), another
 * application's database or a newer schema (StoreForeignError) leave it untouched.
 *
 * Journal: WAL with `synchronous = FULL`. NORMAL would skip the fsync at each commit, so a power loss or kernel crash
 * could drop the last committed transactions (a request the daemon had acknowledged); the daemon writes a handful of
 * rows per session, so the fsync costs nothing that matters. Either setting survives the daemon process being killed.
 */
export function openDatabase(path: string): Database.Database {
  const head = readHead(path);
  if (head === undefined) closeSync(openSync(path, 'wx', 0o600));
  else if (head.length > 0) checkOwnership(path, head);
  const db = new Database(path, { fileMustExist: true, timeout: 5_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    db.close();
    throw isCorruption(error) ? new StoreCorruptError(path, 'SQLite reports it damaged', { cause: error }) : error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch {
      /* best effort (-wal and -shm may not exist) */
    }
  }
  return db;
}

/** The first 108 bytes (file header and schema page header); empty for an empty file, undefined when missing. */
function readHead(path: string): Buffer | undefined {
  let fd: number;
  try {
    if (!statSync(path).isFile()) throw new StoreCorruptError(path, 'not a regular file');
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const head = Buffer.alloc(108);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

interface Facts {
  applicationId: number;
  version: number;
  /** Schema objects (tables, indexes...); Infinity when the schema spans several pages. */
  objects: number;
}

/** The facts from the file header, which is up to date unless the WAL holds frames not yet checkpointed. */
function headerFacts(path: string, head: Buffer): Facts {
  if (head.length < 16 || !head.subarray(0, 16).equals(SQLITE_HEADER)) throw new StoreCorruptError(path, 'not an SQLite file: bad header');
  const pageSize = head.length === 108 ? head.readUInt16BE(16) : 0;
  const schemaPage = head[100]; // b-tree page type of sqlite_schema: 13 leaf, 5 interior
  if (!(pageSize === 1 || (pageSize >= 512 && (pageSize & (pageSize - 1)) === 0)) || (schemaPage !== 13 && schemaPage !== 5)) {
    throw new StoreCorruptError(path, 'damaged SQLite header');
  }
  return { applicationId: head.readInt32BE(68), version: head.readInt32BE(60), objects: schemaPage === 5 ? Infinity : head.readUInt16BE(103) };
}

/** Facts through a read-only connection, for a file whose WAL holds frames (its -wal and -shm files exist already). */
function walFacts(path: string): Facts {
  let ro: Database.Database | undefined;
  try {
    ro = new Database(path, { readonly: true, fileMustExist: true, timeout: 5_000 });
    return {
      applicationId: ro.pragma('application_id', { simple: true }) as number,
      version: ro.pragma('user_version', { simple: true }) as number,
      objects: (ro.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n,
    };
  } catch (error) {
    throw isCorruption(error) ? new StoreCorruptError(path, 'SQLite reports it damaged', { cause: error }) : error;
  } finally {
    ro?.close();
  }
}

/** Throws unless the file is this daemon's (or a blank SQLite file) with a schema this code knows. Writes nothing. */
function checkOwnership(path: string, head: Buffer): void {
  let facts = headerFacts(path, head);
  if (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size) facts = walFacts(path);
  const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
  if (facts.applicationId === 0 ? facts.objects > 0 || facts.version > 0 : facts.applicationId !== APPLICATION_ID) {
    const what = facts.applicationId !== 0 ? `has application id ${hex(facts.applicationId)}` : facts.objects > 0 ? 'has tables but no application id' : 'has a user_version but no application id';
    throw new StoreForeignError(path, 'application_id', `is not a vp-daemon database (it ${what}, not ${hex(APPLICATION_ID)}); use another state folder`);
  }
  if (facts.version > SCHEMA_VERSION) {
    const detail = `was written by a newer vp-daemon (schema version ${facts.version}; this one knows up to ${SCHEMA_VERSION}); upgrade vp-daemon`;
    throw new StoreForeignError(path, 'schema_version', detail);
  }
}

function migrate(db: Database.Database): void {
  db.transaction(() => {
    const from = db.pragma('user_version', { simple: true }) as number;
    if (from > SCHEMA_VERSION) throw new Error(`Schema version ${from} is newer than ${SCHEMA_VERSION}`); // checked before open
    for (let version = from; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version] ?? '');
    if (from === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
    if (from !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
