// Every route of the control API through app.inject, with an in-memory backend.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createControlServer, type ControlServer } from '../../src/api/server.js';
import { FakeBackend } from '../helpers/fake-backend.js';
import type { ErrorCode } from '../../src/session/errors.js';
import { ConfigError, DuplicateRequestError, PoolDrainingError, QueueFullError, SpawnError, VpDaemonError, WorkingDirectoryError } from '../../src/session/errors.js';

const TOKEN = 'a'.repeat(64);
const TASK_FILE: string = 'ERR_TASK_FILE'; // the task-file loader's code
const auth = { authorization: `Bearer ${TOKEN}` };

const triage = { task: { id: 'T-1', description: 'Fix it' }, charter: 'engineer', workingDirectory: '/tmp' };

void describe('control API routes', () => {
  let backend: FakeBackend;
  let server: ControlServer;
  const inject = (method: 'GET' | 'POST', url: string, payload?: object) =>
    server.app.inject({ method, url, headers: auth, ...(payload !== undefined && { payload }) });

  beforeEach(() => {
    backend = new FakeBackend();
    server = createControlServer(backend, { token: TOKEN, logger: false, metricsRegistry: new Registry() });
  });
  afterEach(() => server.close());

  void it('POST /v1/requests: 202 with requestId and priority; the body reaches the backend', async () => {
    const res = await inject('POST', '/v1/requests', triage);
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), { requestId: 'r-1', priority: 'high' });
    assert.deepEqual(backend.calls[0], ['submit', triage]);
  });

  void it('POST /v1/requests: schema errors are 400 {code, message, field, value}', async () => {
    const missing = await inject('POST', '/v1/requests', { ...triage, task: { id: 'T-1' } });
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(missing.json(), { code: 'ERR_INVALID_CONFIG', message: 'Invalid task.description: is required', field: 'task.description', value: null });
    const wrong = (await inject('POST', '/v1/requests', { ...triage, maxTurns: 0 })).json<Record<string, unknown>>();
    assert.equal(wrong['field'], 'maxTurns');
    assert.equal(wrong['value'], 0);
    assert.equal(backend.calls.length, 0);
    const garbled = await server.app.inject({ method: 'POST', url: '/v1/requests', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"task":' });
    assert.equal(garbled.statusCode, 400);
  });

  void it("maps the backend's errors by code, with no stack in the body", async () => {
    const cases: [Error, number, string][] = [
      [new ConfigError([{ field: 'charter', message: 'no charter named engineer', value: 'engineer' }]), 400, 'ERR_INVALID_CONFIG'],
      [new VpDaemonError(TASK_FILE as ErrorCode, 'bad task file'), 400, 'ERR_TASK_FILE'],
      [new WorkingDirectoryError('/nope'), 404, 'ERR_WORKDIR_NOT_FOUND'],
      [new DuplicateRequestError('r-1'), 409, 'ERR_DUPLICATE_REQUEST'],
      [new QueueFullError('r-1', 10), 429, 'ERR_QUEUE_FULL'],
      [new PoolDrainingError('r-1'), 503, 'ERR_POOL_DRAINING'],
      [new SpawnError('could not start'), 500, 'ERR_SPAWN_FAILED'],
      [new Error('secret internals'), 500, 'ERR_INTERNAL'],
    ];
    for (const [error, status, code] of cases) {
      backend.failure = error;
      const res = await inject('POST', '/v1/requests', triage);
      assert.equal(res.statusCode, status, code);
      const body = res.json<Record<string, unknown>>();
      assert.equal(body['code'], code);
      assert.ok(!res.body.includes('stack') && !res.body.includes('    at '), res.body);
      if (code === 'ERR_INTERNAL') assert.ok(!res.body.includes('secret internals'));
    }
    backend.failure = new ConfigError([{ field: 'charter', message: 'unknown', value: 'engineer' }]);
    const body = (await inject('POST', '/v1/requests', triage)).json<Record<string, unknown>>();
    assert.deepEqual([body['field'], body['value']], ['charter', 'engineer']);
    assert.match(String(body['message']), /charter/);
  });

  void it('GET /v1/sessions passes state and limit; bad limits are 400', async () => {
    const res = await inject('GET', '/v1/sessions?state=running&limit=5');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), [{ sessionId: 's-1', state: 'running' }]);
    assert.deepEqual(backend.calls.at(-1), ['listSessions', { state: 'running', limit: 5 }]);
    assert.equal((await inject('GET', '/v1/sessions')).json<unknown[]>().length, 2);
    const bad = await inject('GET', '/v1/sessions?limit=0');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json<{ code: string }>().code, 'ERR_INVALID_OPTION');
  });

  void it('GET /v1/sessions/:id: the session, or 404 ERR_SESSION_NOT_FOUND', async () => {
    assert.deepEqual((await inject('GET', '/v1/sessions/s-2')).json(), { sessionId: 's-2', state: 'completed' });
    const missing = await inject('GET', '/v1/sessions/nope');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<{ code: string }>().code, 'ERR_SESSION_NOT_FOUND');
  });

  void it("GET /v1/sessions/:id/events: the tail, then live events, closed after 'ended' and unsubscribed", async () => {
    const res = await inject('GET', '/v1/sessions/s-1/events');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    assert.equal(res.headers['cache-control'], 'no-cache, no-transform');
    assert.equal(res.headers['x-accel-buffering'], 'no');
    const events = res.body.split('\n\n').filter((block) => block.startsWith('event:'));
    assert.deepEqual(events, [
      'event: output\ndata: "tail line\\n"',
      'event: message\ndata: {"type":"assistant","text":"hi"}',
      'event: ended\ndata: {"state":"completed"}',
    ]);
    assert.equal(backend.unsubscribed, 1);
    const missing = await inject('GET', '/v1/sessions/nope/events');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<{ code: string }>().code, 'ERR_SESSION_NOT_FOUND');
  });

  void it('approvals: list, approve, deny with a reason; unknown ids are 404', async () => {
    assert.deepEqual((await inject('GET', '/v1/approvals')).json(), [{ approvalId: 'p-1', tool: 'Bash' }]);
    assert.deepEqual((await inject('POST', '/v1/approvals/p-1/approve')).json(), { approvalId: 'p-1', decision: 'approved' });
    const denied = await inject('POST', '/v1/approvals/p-1/deny', { reason: 'not today' });
    assert.deepEqual(denied.json(), { approvalId: 'p-1', decision: 'denied', reason: 'not today' });
    assert.deepEqual(backend.calls.at(-1), ['deny', 'p-1', 'not today']);
    assert.equal((await inject('POST', '/v1/approvals/p-1/deny')).statusCode, 200);
    assert.deepEqual(backend.calls.at(-1), ['deny', 'p-1', undefined]);
    assert.equal((await inject('POST', '/v1/approvals/p-9/approve')).statusCode, 404);
    assert.equal((await inject('POST', '/v1/approvals/p-9/deny', { reason: 'x' })).statusCode, 404);
  });

  void it('cancel, terminate and drain', async () => {
    assert.deepEqual((await inject('POST', '/v1/requests/r-1/cancel', { terminate: true })).json(), { requestId: 'r-1', cancelled: true, terminate: true });
    assert.deepEqual(backend.calls.at(-1), ['cancel', 'r-1', true]);
    assert.equal((await inject('POST', '/v1/requests/r-1/cancel')).statusCode, 200);
    assert.deepEqual(backend.calls.at(-1), ['cancel', 'r-1', false]);
    assert.equal((await inject('POST', '/v1/requests/r-9/cancel')).statusCode, 404);
    assert.deepEqual((await inject('POST', '/v1/sessions/s-1/terminate')).json(), { sessionId: 's-1', terminated: true });
    assert.equal((await inject('POST', '/v1/sessions/s-9/terminate')).json<{ code: string }>().code, 'ERR_SESSION_NOT_FOUND');
    assert.deepEqual((await inject('POST', '/v1/drain', { timeoutMs: 5 })).json(), { drained: true });
    assert.deepEqual(backend.calls.at(-1), ['drain', 5]);
    await inject('POST', '/v1/drain');
    assert.deepEqual(backend.calls.at(-1), ['drain', 30_000]);
    assert.equal((await inject('POST', '/v1/drain', { timeoutMs: -1 })).statusCode, 400);
  });

  void it('status, JSON metrics, Prometheus text, and 404 for unknown routes', async () => {
    assert.deepEqual((await inject('GET', '/v1/status')).json(), { pool: { capacity: 2 }, daemon: { pid: 1 } });
    assert.deepEqual((await inject('GET', '/v1/metrics')).json(), { pool: { totalSessions: 3 } });
    const text = await inject('GET', '/metrics');
    assert.equal(text.statusCode, 200);
    assert.match(String(text.headers['content-type']), /^text\/plain/);
    const unknown = await inject('GET', '/v2/nothing');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json<{ code: string }>().code, 'ERR_ROUTE_NOT_FOUND');
  });

  void it('never logs the token, even with a serializer that shows the headers', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    const logger = pino({ level: 'trace', serializers: { req: (req: { headers: unknown }) => ({ headers: req.headers }) } }, sink);
    const logged = createControlServer(backend, { token: TOKEN, logger, metricsRegistry: new Registry() });
    try {
      await logged.app.inject({ method: 'GET', url: '/v1/status', headers: auth });
      await logged.app.inject({ method: 'GET', url: '/v1/status', headers: { authorization: `Bearer ${'b'.repeat(64)}` } });
    } finally {
      await logged.close();
    }
    const text = lines.join('');
    assert.ok(text.includes('[redacted]'), 'the authorization header was logged, censored');
    assert.ok(!text.includes(TOKEN) && !text.includes('b'.repeat(64)), text);
  });
});
