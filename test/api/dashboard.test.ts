// The dashboard's page, assets and logins through app.inject: the token buys an HttpOnly cookie and leaves the
// address bar; without a login nothing but the page itself is served; a cookie alone never changes state cross-site.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createControlServer, type ControlServer } from '../../src/api/server.js';
import { FakeBackend } from '../helpers/fake-backend.js';

const TOKEN = 't'.repeat(64);
const ORIGIN = 'http://localhost:80'; // what app.inject's Host header makes this server's origin

void describe('dashboard page and logins', () => {
  let dir: string;
  let backend: FakeBackend;
  let server: ControlServer;
  const lines: string[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vp-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>vp-daemon</title><script type="module" src="/assets/app-1a2b.js"></script>');
    writeFileSync(join(dir, 'assets', 'app-1a2b.js'), 'console.log("app")');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    backend = new FakeBackend();
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    server = createControlServer(backend, { token: TOKEN, logger: pino({ level: 'trace' }, sink), metricsRegistry: new Registry(), dashboardDir: dir });
    await server.app.ready();
  });
  afterEach(() => server.close());

  /** The cookie header and the key header of a fresh login. */
  const login = async (): Promise<{ cookie: string; 'x-vp-key': string }> => {
    const res = await server.app.inject({ method: 'GET', url: `/?token=${TOKEN}` });
    const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    return { cookie, 'x-vp-key': /#k=([\w-]+)$/.exec(String(res.headers.location))?.[1] ?? '' };
  };

  void it('serves the page to anyone, and no data without a login', async () => {
    const page = await server.app.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    for (const url of ['/v1/status', '/v1/sessions/page', '/v1/approvals', '/v1/fleet', '/v1/events', '/v1/sessions/s-1/view']) {
      const res = await server.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 401, url);
    }
    const forged = await server.app.inject({ method: 'GET', url: '/v1/status', headers: { cookie: 'vp_session=forged' } });
    assert.equal(forged.statusCode, 401);
    const asset = await server.app.inject({ method: 'GET', url: '/assets/app-1a2b.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['cache-control']), /max-age=31536000.*immutable|immutable.*max-age=31536000/);
  });

  void it('trades the token in the URL for an HttpOnly SameSite=Strict cookie and redirects to /', async () => {
    const res = await server.app.inject({ method: 'GET', url: `/?token=${TOKEN}` });
    assert.equal(res.statusCode, 303);
    const key = /^\/#k=([\w-]{32})$/.exec(String(res.headers.location))?.[1];
    assert.ok(key, String(res.headers.location));
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /^vp_session=[\w-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.ok(!cookie.includes(TOKEN));
    const jar = cookie.split(';')[0] ?? '';
    const status = await server.app.inject({ method: 'GET', url: '/v1/status', headers: { cookie: jar, 'x-vp-key': key } });
    assert.equal(status.statusCode, 200);
    // The cookie alone (what a server on another port of this host receives) or with a wrong key: nothing.
    assert.equal((await server.app.inject({ method: 'GET', url: '/v1/status', headers: { cookie: jar } })).statusCode, 401);
    assert.equal((await server.app.inject({ method: 'GET', url: '/v1/status', headers: { cookie: jar, 'x-vp-key': 'x'.repeat(32) } })).statusCode, 401);
    assert.equal((await server.app.inject({ method: 'GET', url: `/v1/status?k=${key}`, headers: { cookie: jar } })).statusCode, 200, 'the key in the query (EventSource)');
    assert.deepEqual((await server.app.inject({ method: 'GET', url: '/login', headers: { cookie: jar, 'x-vp-key': key } })).json(), { loggedIn: true });
    assert.deepEqual((await server.app.inject({ method: 'GET', url: '/login', headers: { cookie: jar } })).json(), { loggedIn: false });
    const wrong = await server.app.inject({ method: 'GET', url: '/?token=nope' });
    assert.equal(wrong.statusCode, 303);
    assert.equal(wrong.headers.location, '/?login=failed');
    assert.equal(wrong.headers['set-cookie'], undefined);
    assert.ok(!lines.join('').includes(TOKEN), 'the token in the URL is not logged');
    assert.match(lines.join(''), /token=\[redacted\]/);
  });

  void it('logs in from the form of its own page only; logs out', async () => {
    const form = (origin: string) =>
      server.app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded', origin }, payload: `token=${TOKEN}` });
    const ok = await form(ORIGIN);
    assert.equal(ok.statusCode, 303);
    const cookie = String(ok.headers['set-cookie']).split(';')[0] ?? '';
    const key = /#k=([\w-]+)$/.exec(String(ok.headers.location))?.[1] ?? '';
    assert.match(cookie, /^vp_session=/);
    assert.equal((await form('https://evil.example')).statusCode, 403);
    const out = await server.app.inject({ method: 'POST', url: '/logout', headers: { cookie, 'x-vp-key': key, origin: ORIGIN } });
    assert.equal(out.statusCode, 204);
    assert.equal((await server.app.inject({ method: 'GET', url: '/v1/status', headers: { cookie, 'x-vp-key': key } })).statusCode, 401);
  });

  void it('a cookie changes state only with this origin; a bearer token needs none', async () => {
    const { cookie, 'x-vp-key': key } = await login();
    const approve = (headers: Record<string, string>) => server.app.inject({ method: 'POST', url: '/v1/approvals/p-1/approve', headers: { 'content-type': 'application/json', ...headers }, payload: '{}' });
    assert.equal((await approve({ cookie, 'x-vp-key': key })).statusCode, 403, 'no Origin');
    const cross = await approve({ cookie, 'x-vp-key': key, origin: 'https://evil.example' });
    assert.equal(cross.statusCode, 403);
    assert.equal(cross.json<{ code: string }>().code, 'ERR_CROSS_SITE');
    assert.deepEqual(backend.calls, []);
    assert.equal((await approve({ cookie, 'x-vp-key': key, origin: ORIGIN })).statusCode, 200);
    assert.equal((await approve({ authorization: `Bearer ${TOKEN}` })).statusCode, 200);
    // The API takes no form bodies (only the login form is parsed as one).
    const form = await server.app.inject({ method: 'POST', url: '/v1/approvals/p-1/approve', headers: { cookie, 'x-vp-key': key, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
    assert.equal(form.statusCode, 415);
    assert.deepEqual(backend.calls, [['approve', 'p-1'], ['approve', 'p-1']]);
  });

  void it('serves a page of rows, a session view and the fleet figures', async () => {
    const headers = await login();
    const get = (url: string) => server.app.inject({ method: 'GET', url, headers });
    assert.deepEqual((await get('/v1/sessions/page?offset=1&limit=5')).json(), { total: 2, rows: [{ sessionId: 's-2', state: 'completed' }] });
    assert.equal((await get('/v1/sessions/page?limit=0')).statusCode, 400);
    assert.equal((await get('/v1/sessions/s-1/view')).statusCode, 200);
    assert.equal((await get('/v1/sessions/nope/view')).statusCode, 404);
    assert.deepEqual(Object.keys((await get('/v1/fleet')).json()), ['byState', 'series', 'crashClasses', 'recoveries']);
  });
});

void describe('GET /v1/events', () => {
  void it('streams the feed as server-sent events and unsubscribes when the client goes', async () => {
    const backend = new FakeBackend();
    const server = createControlServer(backend, { token: TOKEN, logger: false, metricsRegistry: new Registry() });
    const { url } = await server.listen();
    try {
      const abort = new AbortController();
      const res = await fetch(`${url}/v1/events`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
      assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      const reader = res.body!.getReader();
      await reader.read(); // ': connected'
      assert.equal(backend.feed.size, 1);
      for (const listener of backend.feed) listener({ type: 'session', data: { sessionId: 's-9', state: 'running' } });
      const { value } = (await reader.read()) as { value?: Uint8Array };
      assert.equal(new TextDecoder().decode(value), 'event: session\ndata: {"sessionId":"s-9","state":"running"}\n\n');
      abort.abort();
      await reader.cancel().catch(() => undefined);
      for (let i = 0; i < 50 && backend.feed.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(backend.feed.size, 0);
    } finally {
      await server.close();
    }
  });
});
