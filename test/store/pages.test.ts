// The dashboard's reads of the store: pages of sessions without statuses, counts by state, ended summaries; and a
// schema-1 database (before summaries) brought up to date with its rows.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { DaemonStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/fixtures.js';

void describe('DaemonStore pages', () => {
  void it('pages newest first with the total, counts states and lists ended summaries in end order', () => {
    const dir = tempDir('vp-store-pages-');
    const store = DaemonStore.open(dir.path);
    try {
      for (let i = 0; i < 5; i++) {
        store.recordSessionStarted({ sessionId: `s-${i}`, claudeSessionId: 'c', workingDirectory: '/w', startedAt: new Date(i * 1000), status: { big: 'x'.repeat(1000) }, summary: { tokens: i } });
      }
      store.recordSessionEnded('s-1', { state: 'completed', endedAt: new Date(9000), summary: { tokens: 10 } });
      store.recordSessionEnded('s-3', { state: 'crashed', endedAt: new Date(8000) });
      const page = store.pageSessions({ offset: 1, limit: 2 });
      assert.equal(page.total, 5);
      assert.deepEqual(page.sessions.map((s) => [s.sessionId, s.summary, 'status' in s]), [['s-3', { tokens: 3 }, false], ['s-2', { tokens: 2 }, false]]);
      assert.deepEqual(store.sessionCountsByState(), { completed: 1, crashed: 1, running: 3 });
      assert.deepEqual(store.endedSummaries().map((e) => [e.endedAt.getTime(), e.summary]), [[8000, { tokens: 3 }], [9000, { tokens: 10 }]]);
      assert.deepEqual(store.endedSummaries(1).map((e) => e.endedAt.getTime()), [9000], 'the newest ends');
      store.insertCrash({ sessionId: 's-3', crashClass: 'transient', crashType: 'x', analysis: {} });
      store.insertCrash({ sessionId: 's-3', crashClass: 'transient', crashType: 'y', analysis: {} });
      store.insertCrash({ sessionId: 's-1', crashClass: 'resource', crashType: 'z', analysis: {} });
      assert.deepEqual(store.crashCountsByClass(), { resource: 1, transient: 2 });
    } finally {
      store.close();
      dir.remove();
    }
  });

  void it('opens a schema-1 database: its sessions stay, with summaries made from their statuses and requests', () => {
    const dir = tempDir('vp-store-v1-');
    try {
      DaemonStore.open(dir.path).close();
      const raw = new Database(join(dir.path, 'vp-daemon.db'));
      // Back to how schema 1 looked, with one session in it.
      raw.exec('DROP INDEX sessions_by_end; ALTER TABLE sessions DROP COLUMN summary;');
      raw.prepare("INSERT INTO sessions (session_id, claude_session_id, working_directory, state, started_at) VALUES ('bare', 'c', '/w', 'completed', 1)").run();
      raw.prepare(`INSERT INTO requests (request_id, priority, triage, state, created_at, updated_at) VALUES ('r-1', 'high', '{"task":{"id":"T-9"},"charter":{"identity":{"name":"VP"}}}', 'completed', 1, 1)`).run();
      const status = { tokenUsage: { total: 42 }, costUsd: 0.5, metrics: { commandsExecuted: 3, filesModified: 1 }, workspace: { branch: 'vp/T-9-ab12', path: '/ws/tree' } };
      raw.prepare("INSERT INTO sessions (session_id, request_id, claude_session_id, working_directory, state, started_at, status) VALUES ('old', 'r-1', 'c', '/w', 'completed', 2, ?)").run(JSON.stringify(status));
      raw.pragma('user_version = 1');
      raw.close();
      const store = DaemonStore.open(dir.path);
      try {
        assert.deepEqual(store.pageSessions().sessions.map((s) => [s.sessionId, s.summary]), [
          ['old', { tokens: 42, costUsd: 0.5, commands: 3, files: 1, taskId: 'T-9', charter: 'VP', priority: 'high', branch: 'vp/T-9-ab12', workspacePath: '/ws/tree' }],
          ['bare', undefined],
        ]);
      } finally {
        store.close();
      }
    } finally {
      dir.remove();
    }
  });
});
