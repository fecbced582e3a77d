// The control API on a real socket: fetch() and the server-sent events stream.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createControlServer, type ControlBackend, type ControlServer, type SessionEvent } from '../../src/api/server.js';
import { openEventStream } from '../../src/api/sse.js';
import { waitFor } from '../helpers/fixtures.js';

const TOKEN = 'f'.repeat(64);
const auth = { authorization: `Bearer ${TOKEN}` };

/** Reads a text/event-stream body block by block (blocks end with a blank line); undefined at its end. */
function blocks(response: Response): { next: () => Promise<string | undefined> } {
  assert.ok(response.body);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          return block;
        }
        const { done, value } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}

/** The next block that is an event (comments skipped), parsed. */
async function nextEvent(stream: { next: () => Promise<string | undefined> }): Promise<{ event: string; data: unknown } | undefined> {
  for (;;) {
    const block = await stream.next();
    if (block === undefined) return undefined;
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (event !== undefined && data !== undefined) return { event, data: JSON.parse(data) as unknown };
  }
}

void describe('control API over a socket', () => {
  let server: ControlServer;
  let url: string;
  const followers: ((event: SessionEvent) => void)[] = [];
  let unsubscribed = 0;
  let unsubscribeThrows = false;
  const backend = {
    status: () => ({ pool: { capacity: 1 } }),
    followSession(id: string, onEvent: (event: SessionEvent) => void) {
      if (id !== 's-1') return undefined;
      onEvent({ type: 'output', data: 'earlier output\n' });
      followers.push(onEvent);
      return () => {
        unsubscribed += 1;
        if (unsubscribeThrows) throw new Error('unsubscribe failed');
      };
    },
  } as unknown as ControlBackend;
  const emit = (event: SessionEvent): void => followers.forEach((onEvent) => onEvent(event));

  beforeEach(async () => {
    followers.length = 0;
    unsubscribed = 0;
    unsubscribeThrows = false;
    server = createControlServer(backend, { port: 0, token: TOKEN, logger: false, metricsRegistry: new Registry() });
    ({ url } = await server.listen());
  });
  afterEach(() => server.close());

  void it('listens on 127.0.0.1 on a free port and answers an authenticated fetch()', async () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const ok = await fetch(`${url}/v1/status`, { headers: auth });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { pool: { capacity: 1 } });
    const refused = await fetch(`${url}/v1/status`);
    assert.equal(refused.status, 401);
    assert.deepEqual(await refused.json(), { code: 'ERR_UNAUTHORIZED', message: 'A valid bearer token is required' });
  });

  void it("streams the tail, then live events, and closes after 'ended'", async () => {
    const response = await fetch(`${url}/v1/sessions/s-1/events`, { headers: auth });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const stream = blocks(response);
    assert.equal(await stream.next(), ': connected', 'the headers and a first comment arrive at once');
    assert.deepEqual(await nextEvent(stream), { event: 'output', data: 'earlier output\n' });
    emit({ type: 'message', data: { type: 'assistant', text: 'live' } });
    assert.deepEqual(await nextEvent(stream), { event: 'message', data: { type: 'assistant', text: 'live' } });
    emit({ type: 'output', data: 'more' });
    assert.deepEqual(await nextEvent(stream), { event: 'output', data: 'more' });
    emit({ type: 'ended', data: { state: 'completed' } });
    assert.deepEqual(await nextEvent(stream), { event: 'ended', data: { state: 'completed' } });
    assert.equal(await stream.next(), undefined, 'the server ended the stream');
    assert.equal(unsubscribed, 1);
  });

  void it('unsubscribes when the client goes away', async () => {
    const abort = new AbortController();
    const response = await fetch(`${url}/v1/sessions/s-1/events`, { headers: auth, signal: abort.signal });
    const stream = blocks(response);
    assert.deepEqual(await nextEvent(stream), { event: 'output', data: 'earlier output\n' });
    assert.equal(unsubscribed, 0);
    abort.abort();
    await waitFor(() => unsubscribed === 1, 5_000, 'unsubscribe after the client aborted');
    emit({ type: 'output', data: 'nobody listens' }); // harmless after the client left
    assert.equal(unsubscribed, 1);
    const missing = await fetch(`${url}/v1/sessions/nope/events`, { headers: auth });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { code: string }).code, 'ERR_SESSION_NOT_FOUND');
  });

  void it('survives an unsubscribe function that throws', async () => {
    unsubscribeThrows = true;
    const stream = blocks(await fetch(`${url}/v1/sessions/s-1/events`, { headers: auth }));
    await nextEvent(stream);
    emit({ type: 'ended', data: { state: 'failed' } });
    assert.deepEqual(await nextEvent(stream), { event: 'ended', data: { state: 'failed' } });
    assert.equal(await stream.next(), undefined);
    assert.equal(unsubscribed, 1);
    assert.equal((await fetch(`${url}/v1/status`, { headers: auth })).status, 200);
  });

  void it('close() ends open event streams instead of waiting for them', async () => {
    const response = await fetch(`${url}/v1/sessions/s-1/events`, { headers: auth });
    const stream = blocks(response);
    await nextEvent(stream);
    await server.close();
    assert.equal(unsubscribed, 1);
    assert.equal(await nextEvent(stream), undefined);
  });
});

void describe('openEventStream', () => {
  let http: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve())));

  void it('sends comment heartbeats while idle and reports the close once', async () => {
    let closes = 0;
    http = createServer((_request, response) => {
      openEventStream(response, { heartbeatMs: 20, onClose: () => (closes += 1) });
    });
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    const abort = new AbortController();
    const response = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`, { signal: abort.signal });
    const stream = blocks(response);
    assert.equal(await stream.next(), ': connected');
    assert.match((await stream.next()) ?? '', /^: heartbeat \d+$/);
    assert.match((await stream.next()) ?? '', /^: heartbeat \d+$/);
    abort.abort();
    await waitFor(() => closes === 1, 5_000, 'onClose');
    http.closeAllConnections();
  });
});
