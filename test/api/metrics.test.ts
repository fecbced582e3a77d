// Prometheus metrics and the OpenAPI document.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createControlServer, createDaemonMetrics, OPENAPI_DOCUMENT, type ControlBackend, type ControlServer } from '../../src/api/server.js';

const TOKEN = 'm'.repeat(48);

void describe('createDaemonMetrics', () => {
  let server: ControlServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  void it('GET /metrics shows every vp_daemon_ metric after the DaemonMetrics calls', async () => {
    const registry = new Registry();
    const metrics = createDaemonMetrics(registry);
    metrics.sessionStarted();
    metrics.sessionStarted();
    metrics.setActive(1);
    metrics.queueLength(3);
    metrics.queueWaitMs(2_500);
    metrics.sessionEnded('completed', 1_200, 0.25, 42_000);
    metrics.sessionEnded('crashed', 10, 0.01, 500);
    metrics.crash('segfault');
    metrics.recovery('succeeded');
    metrics.recovery('abandoned');
    server = createControlServer({} as ControlBackend, { token: TOKEN, logger: false, metricsRegistry: registry });
    const res = await server.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = res.body;
    for (const line of [
      'vp_daemon_sessions_started_total 2',
      'vp_daemon_sessions_ended_total{state="completed"} 1',
      'vp_daemon_sessions_ended_total{state="crashed"} 1',
      'vp_daemon_sessions_active 1',
      'vp_daemon_queue_length 3',
      'vp_daemon_queue_wait_seconds_sum 2.5',
      'vp_daemon_queue_wait_seconds_count 1',
      'vp_daemon_session_duration_seconds_sum 42.5',
      'vp_daemon_session_duration_seconds_count 2',
      'vp_daemon_tokens_total 1210',
      'vp_daemon_cost_usd_total 0.26',
      'vp_daemon_crashes_total{class="segfault"} 1',
      'vp_daemon_recoveries_total{result="succeeded"} 1',
      'vp_daemon_recoveries_total{result="abandoned"} 1',
    ]) {
      assert.ok(text.includes(`${line}\n`), `missing ${line}`);
    }
    for (const type of ['counter', 'gauge', 'histogram']) assert.ok(text.includes(` ${type}\n`));
  });

  void it('reuses the metrics already on a registry and ignores negative or non-finite amounts', async () => {
    const registry = new Registry();
    createDaemonMetrics(registry).sessionStarted();
    const again = createDaemonMetrics(registry);
    again.sessionStarted();
    again.sessionEnded('failed', -5, Number.NaN, Number.POSITIVE_INFINITY);
    again.queueLength(-1);
    const text = await registry.metrics();
    assert.ok(text.includes('vp_daemon_sessions_started_total 2\n'));
    assert.ok(text.includes('vp_daemon_tokens_total 0\n'));
    assert.ok(text.includes('vp_daemon_cost_usd_total 0\n'));
    assert.ok(text.includes('vp_daemon_queue_length 0\n'));
  });
});

void describe('OPENAPI_DOCUMENT', () => {
  type Operation = { security?: unknown[]; responses: Record<string, unknown>; parameters?: { name: string; in: string }[] };
  const doc = OPENAPI_DOCUMENT as { openapi: string; paths: Record<string, Record<string, Operation>> };
  const ROUTES = [
    'POST /v1/requests',
    'POST /v1/requests/{id}/cancel',
    'GET /v1/sessions',
    'GET /v1/sessions/page',
    'GET /v1/sessions/{id}',
    'GET /v1/sessions/{id}/view',
    'GET /v1/sessions/{id}/events',
    'GET /v1/events',
    'GET /v1/fleet',
    'GET /v1/fleet/requests',
    'POST /v1/sessions/{id}/terminate',
    'GET /v1/approvals',
    'POST /v1/approvals/{id}/approve',
    'POST /v1/approvals/{id}/deny',
    'POST /v1/drain',
    'GET /v1/status',
    'GET /v1/metrics',
    'GET /metrics',
    'GET /openapi.json',
  ];
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
  );

  void it('is OpenAPI 3.1 and lists every route, each of which the server has', async () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(operations.map((o) => o.route).sort(), [...ROUTES].sort());
    const server = createControlServer({} as ControlBackend, { token: TOKEN, logger: false, metricsRegistry: new Registry() });
    try {
      for (const route of ROUTES) {
        const [method = '', path = ''] = route.split(' ');
        assert.ok(server.app.hasRoute({ method, url: path.replace(/\{(\w+)\}/g, ':$1') }), route);
      }
    } finally {
      await server.close();
    }
  });

  void it('marks auth: 401 on every route but GET /openapi.json, which needs no token', () => {
    for (const { route, operation } of operations) {
      if (route === 'GET /openapi.json') {
        assert.deepEqual(operation.security, []);
        assert.equal(operation.responses['401'], undefined);
      } else {
        assert.ok(operation.responses['401'], route);
      }
    }
    const events = doc.paths['/v1/sessions/{id}/events']?.['get'];
    assert.deepEqual(events?.parameters?.map((p) => `${p.in}:${p.name}`), ['path:id']);
    assert.ok(JSON.stringify(events?.responses['200']).includes('text/event-stream'));
  });
});
