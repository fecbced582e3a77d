import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { APPLICATION_ID, DaemonStore, SCHEMA_VERSION } from '../../src/store/index.js';
import { tempDir } from '../helpers/fixtures.js';

const mode = (path: string) => statSync(path).mode & 0o777;

void describe('DaemonStore.open: file checks', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: string;
  beforeEach(() => {
    dir = tempDir('vp-store-open-');
    db = join(dir.path, 'vp-daemon.db');
  });
  afterEach(() => dir.remove());

  /** Opening fails with `code`, the file is byte-for-byte unchanged, no sidecar or lock file is left behind. */
  const refuses = (code: string, message: RegExp) => {
    const before = readFileSync(db);
    assert.throws(() => DaemonStore.open(dir.path), (error: Error & { code?: string; path?: string }) => {
      assert.equal(error.code, code);
      assert.equal(error.path, db);
      assert.ok(error.message.includes(db), error.message);
      assert.match(error.message, message);
      return true;
    });
    assert.ok(readFileSync(db).equals(before), 'the file was modified');
    assert.deepEqual(readdirSync(dir.path), ['vp-daemon.db']);
  };

  void it('creates the folder 0o700, the database and lock 0o600, tagged with application_id and user_version', () => {
    const state = join(dir.path, 'a', 'state');
    const store = DaemonStore.open(state);
    assert.equal(store.path, join(state, 'vp-daemon.db'));
    assert.equal(mode(state), 0o700);
    assert.equal(mode(join(dir.path, 'a')), 0o700);
    store.insertRequest({ requestId: 'r', priority: 'low', triage: {}, state: 'queued' });
    for (const file of ['vp-daemon.db', 'vp-daemon.db-wal', 'vp-daemon.db-shm', 'daemon.lock']) {
      if (file === 'daemon.lock' || file === 'vp-daemon.db' || existsSync(join(state, file))) assert.equal(mode(join(state, file)), 0o600, file);
    }
    store.close();
    assert.equal(existsSync(join(state, 'daemon.lock')), false);
    const raw = new Database(store.path, { readonly: true });
    assert.equal(raw.pragma('application_id', { simple: true }), APPLICATION_ID);
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
    const again = DaemonStore.open(state);
    assert.equal(again.getRequest('r')?.state, 'queued');
    again.close();
  });

  void it('a file that is not SQLite (garbage) → ERR_STORE_CORRUPT, never modified', () => {
    writeFileSync(db, randomBytes(8192));
    refuses('ERR_STORE_CORRUPT', /bad header/);
    refuses('ERR_STORE_CORRUPT', /bad header/); // the lock was released
  });

  void it('a file shorter than the header → ERR_STORE_CORRUPT', () => {
    writeFileSync(db, 'SQLite');
    refuses('ERR_STORE_CORRUPT', /bad header/);
  });

  void it('the SQLite header followed by garbage → ERR_STORE_CORRUPT, never modified', () => {
    writeFileSync(db, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), randomBytes(8192)]));
    refuses('ERR_STORE_CORRUPT', /damaged/);
  });

  void it('another application\'s SQLite file (tables, application_id 0) → ERR_STORE_FOREIGN, never modified', () => {
    const other = new Database(db);
    other.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')");
    other.close();
    refuses('ERR_STORE_FOREIGN', /not a vp-daemon database.*has tables but no application id/);
  });

  void it('a WAL-mode SQLite file with another application_id → ERR_STORE_FOREIGN, never modified', () => {
    const other = new Database(db);
    other.pragma('journal_mode = WAL');
    other.pragma('application_id = 1234');
    other.close();
    refuses('ERR_STORE_FOREIGN', /application id 0x000004d2/);
  });

  void it('a foreign database whose rows are still in its WAL (its writer is open) → ERR_STORE_FOREIGN, never modified', () => {
    const other = new Database(db);
    other.pragma('journal_mode = WAL');
    other.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('in the WAL')");
    try {
      const before = readFileSync(db);
      assert.ok(statSync(`${db}-wal`).size > 0);
      assert.throws(() => DaemonStore.open(dir.path), { code: 'ERR_STORE_FOREIGN', message: /has tables but no application id/ });
      assert.ok(readFileSync(db).equals(before));
      assert.deepEqual(other.prepare('SELECT body FROM notes').pluck().all(), ['in the WAL']);
    } finally {
      other.close();
    }
  });

  void it('a database from a newer schema version → ERR_STORE_FOREIGN with reason schema_version', () => {
    DaemonStore.open(dir.path).close();
    const raw = new Database(db);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    refuses('ERR_STORE_FOREIGN', new RegExp(`newer vp-daemon \\(schema version ${SCHEMA_VERSION + 1}; this one knows up to ${SCHEMA_VERSION}\\)`));
    assert.throws(() => DaemonStore.open(dir.path), { reason: 'schema_version' });
  });

  void it('an empty file is taken as a new database', () => {
    writeFileSync(db, '');
    const store = DaemonStore.open(dir.path);
    store.insertRequest({ requestId: 'r', priority: 'low', triage: {}, state: 'queued' });
    store.close();
  });

  void it('a state folder that cannot be created → ERR_STATE_DIR_UNWRITABLE', () => {
    writeFileSync(join(dir.path, 'file'), '');
    assert.throws(() => DaemonStore.open(join(dir.path, 'file', 'state')), { code: 'ERR_STATE_DIR_UNWRITABLE' });
  });
});
