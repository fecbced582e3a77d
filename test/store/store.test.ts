import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DaemonStore, regExpFromJson, toJson } from '../../src/store/index.js';
import { tempDir } from '../helpers/fixtures.js';

const triage = {
  task: { id: 'T-1', description: 'Fix the build', metadata: { when: new Date('2025-01-02T03:04:05.000Z') } },
  charter: { identity: { name: 'VP' }, constraints: { forbiddenPatterns: [/force.*push/i, /rm\s+-rf\//g] } },
  workingDirectory: '/work',
  urgency: 'high',
};
type TriageJson = { task: { metadata: { when: string } }; charter: { constraints: { forbiddenPatterns: string[] } } };
const sqliteCode = (code: string) => (error: unknown) => (error as { code?: string }).code === code;

void describe('DaemonStore records', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: DaemonStore;
  beforeEach(() => {
    dir = tempDir('vp-store-');
    store = DaemonStore.open(dir.path);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  const started = (sessionId: string, at: number, extra: { requestId?: string; pid?: number } = {}) =>
    store.recordSessionStarted({ sessionId, claudeSessionId: `c-${sessionId}`, workingDirectory: '/work', startedAt: new Date(at), ...extra });

  void it('round-trips a request; RegExp values become /source/flags strings, Dates ISO strings', () => {
    const before = Date.now();
    store.insertRequest({ requestId: 'r1', priority: 'high', triage, state: 'queued' });
    const got = store.getRequest('r1');
    assert.ok(got);
    assert.deepEqual(got.triage, toJson(triage));
    const patterns = (got.triage as TriageJson).charter.constraints.forbiddenPatterns;
    assert.deepEqual(patterns, ['/force.*push/i', '/rm\\s+-rf\\//g']);
    assert.deepEqual(patterns.map(regExpFromJson), [/force.*push/i, /rm\s+-rf\//g]);
    assert.equal((got.triage as TriageJson).task.metadata.when, '2025-01-02T03:04:05.000Z');
    assert.equal(got.attempts, 0);
    assert.equal(got.state, 'queued');
    assert.ok(got.createdAt instanceof Date && got.createdAt.getTime() >= before);
    assert.equal(got.updatedAt.getTime(), got.createdAt.getTime());
    assert.ok(!('sessionId' in got) && !('error' in got));
    assert.equal(store.getRequest('nope'), undefined);
    assert.equal(regExpFromJson('plain'), undefined);
  });

  void it('updates requests field by field; a key present with undefined clears sessionId/error', () => {
    store.insertRequest({ requestId: 'r1', priority: 'low', triage: {}, state: 'queued', attempts: 2 });
    store.updateRequest('r1', { state: 'running', sessionId: 's1', error: 'first try failed' });
    assert.deepEqual(pick(store.getRequest('r1')), { state: 'running', sessionId: 's1', attempts: 2, error: 'first try failed' });
    store.updateRequest('r1', { attempts: 3 });
    assert.deepEqual(pick(store.getRequest('r1')), { state: 'running', sessionId: 's1', attempts: 3, error: 'first try failed' });
    store.updateRequest('r1', { state: 'completed', error: undefined, sessionId: undefined });
    assert.deepEqual(pick(store.getRequest('r1')), { state: 'completed', sessionId: undefined, attempts: 3, error: undefined });
    assert.throws(() => store.updateRequest('missing', { state: 'failed' }), { code: 'ERR_INVALID_OPTION', field: 'requestId' });
    assert.throws(() => store.insertRequest({ requestId: 'r1', priority: 'low', triage: {}, state: 'queued' }), sqliteCode('SQLITE_CONSTRAINT_PRIMARYKEY'));
    assert.throws(() => store.updateRequest('r1', { state: 'bogus' as never }), sqliteCode('SQLITE_CONSTRAINT_CHECK'));
  });

  void it('lists requests oldest first, by state(s), with a limit', () => {
    for (const [id, state] of [['a', 'queued'], ['b', 'running'], ['c', 'queued'], ['d', 'failed']] as const) {
      store.insertRequest({ requestId: id, priority: 'medium', triage: {}, state });
    }
    assert.deepEqual(ids(store.listRequests()), ['a', 'b', 'c', 'd']);
    assert.deepEqual(ids(store.listRequests({ state: 'queued' })), ['a', 'c']);
    assert.deepEqual(ids(store.listRequests({ state: ['running', 'failed'] })), ['b', 'd']);
    assert.deepEqual(ids(store.listRequests({ limit: 2 })), ['a', 'b']);
    assert.deepEqual(ids(store.listRequests({ state: [] })), []);
    assert.throws(() => store.listRequests({ limit: -1 }), { code: 'ERR_INVALID_OPTION' });
  });

  void it('records sessions started and ended; lists newest first; unfinished ones', () => {
    store.insertRequest({ requestId: 'r1', priority: 'high', triage: {}, state: 'running' });
    started('s1', 1_000, { requestId: 'r1', pid: 4242 });
    started('s2', 2_000);
    started('s3', 3_000, { requestId: 'r1' });
    const endedAt = new Date(5_000);
    const status = { sessionId: 's1', state: 'completed', startTime: new Date(1_000), outcome: { reason: 'completed' } };
    store.recordSessionEnded('s1', { state: 'completed', outcome: 'completed', endedAt, status });
    assert.deepEqual(store.getSession('s1'), {
      sessionId: 's1', requestId: 'r1', claudeSessionId: 'c-s1', pid: 4242, workingDirectory: '/work', state: 'completed',
      outcome: 'completed', startedAt: new Date(1_000), endedAt, status: { ...status, startTime: '1970-01-01T00:00:01.000Z' },
    });
    assert.deepEqual(store.getSession('s2'), { sessionId: 's2', claudeSessionId: 'c-s2', workingDirectory: '/work', state: 'running', startedAt: new Date(2_000) });
    assert.deepEqual(sids(store.listSessions()), ['s3', 's2', 's1']);
    assert.deepEqual(sids(store.listSessions({ requestId: 'r1' })), ['s3', 's1']);
    assert.deepEqual(sids(store.listSessions({ state: 'running', limit: 1 })), ['s3']);
    assert.deepEqual(sids(store.listSessions({ state: ['completed', 'crashed'] })), ['s1']);
    assert.deepEqual(sids(store.unfinishedSessions()), ['s2', 's3']);
    assert.throws(() => store.recordSessionEnded('nope', { state: 'failed', endedAt }), { code: 'ERR_SESSION_NOT_FOUND' });
    assert.throws(() => started('s4', 1, { requestId: 'unknown' }), sqliteCode('SQLITE_CONSTRAINT_FOREIGNKEY'));
    assert.throws(() => started('s5', Number.NaN), { code: 'ERR_INVALID_OPTION', field: 'startedAt' });
  });

  void it('stores crashes with increasing ids, newest first', () => {
    started('s1', 1_000);
    started('s2', 2_000);
    const a = store.insertCrash({ sessionId: 's1', crashClass: 'transient', crashType: 'SIGSEGV', analysis: { re: /x/m }, at: new Date(10) });
    const b = store.insertCrash({ sessionId: 's2', crashClass: 'fatal', crashType: 'auth', analysis: null, dumpPath: '/d/1.json' });
    assert.ok(b > a);
    const all = store.listCrashes();
    assert.deepEqual(all.map((c) => c.id), [b, a]);
    assert.deepEqual(all[1], { id: a, sessionId: 's1', crashClass: 'transient', crashType: 'SIGSEGV', analysis: { re: '/x/m' }, at: new Date(10) });
    assert.equal(all[0]?.dumpPath, '/d/1.json');
    assert.ok(Math.abs((all[0]?.at.getTime() ?? 0) - Date.now()) < 5_000);
    assert.deepEqual(store.listCrashes({ sessionId: 's1' }).map((c) => c.id), [a]);
    assert.equal(store.listCrashes({ limit: 1 }).length, 1);
    assert.throws(() => store.insertCrash({ sessionId: 'nope', crashClass: 'x', crashType: 'y', analysis: {} }), sqliteCode('SQLITE_CONSTRAINT_FOREIGNKEY'));
  });

  void it('upserts approvals and lists them by state and session', () => {
    started('s1', 1_000);
    started('s2', 2_000);
    const pending = { approvalId: 'a1', sessionId: 's1', toolName: 'Bash', input: { command: 'npm publish' }, reason: 'publish', state: 'pending' as const, requestedAt: new Date(100) };
    store.upsertApproval(pending);
    store.upsertApproval({ ...pending, approvalId: 'a2', sessionId: 's2', requestedAt: new Date(200) });
    assert.deepEqual(store.listApprovals({ state: 'pending' }), [pending, { ...pending, approvalId: 'a2', sessionId: 's2', requestedAt: new Date(200) }]);
    const approved = { ...pending, state: 'approved' as const, resolvedAt: new Date(150), resolution: 'ok by alice' };
    store.upsertApproval(approved);
    assert.deepEqual(store.listApprovals({ state: 'approved' }), [approved]);
    assert.deepEqual(store.listApprovals({ sessionId: 's2' }).map((a) => a.approvalId), ['a2']);
    assert.equal(store.listApprovals().length, 2);
  });

  void it('transaction: commits all or nothing, returns the value, nests', () => {
    assert.equal(store.transaction(() => {
      store.insertRequest({ requestId: 'ok', priority: 'low', triage: {}, state: 'queued' });
      return 7;
    }), 7);
    assert.throws(() => store.transaction(() => {
      store.insertRequest({ requestId: 'x1', priority: 'low', triage: {}, state: 'queued' });
      store.transaction(() => store.insertRequest({ requestId: 'x2', priority: 'low', triage: {}, state: 'queued' }));
      throw new Error('boom');
    }), /boom/);
    assert.deepEqual(ids(store.listRequests()), ['ok']);
  });

  void it('close is idempotent; the store is unusable afterwards', () => {
    store.close();
    store.close();
    assert.throws(() => store.listRequests());
  });
});

const ids = (rows: { requestId: string }[]) => rows.map((r) => r.requestId);
const sids = (rows: { sessionId: string }[]) => rows.map((r) => r.sessionId);
const pick = (r: { state: string; sessionId?: string; attempts: number; error?: string } | undefined) =>
  r && { state: r.state, sessionId: r.sessionId, attempts: r.attempts, error: r.error };
