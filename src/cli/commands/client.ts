import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadTaskFile, type LoadTaskFileOptions } from '../../files/load.js';
import type { FleetRequestRecord } from '../../fleet/ledger.js';
import type { WorkspaceStatus } from '../../session/types.js';
import { renderTable } from '../table.js';
import { branchLine } from '../workspace-view.js';
import { daemonInfoPath } from './serve.js';

/** A call to a running daemon's control API failed. */
export class DaemonCallError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface Connection {
  url: string;
  token: string;
}

/** The URL and token of the daemon running on `stateDir`; `DaemonCallError` when none is. */
export async function connect(stateDir: string): Promise<Connection> {
  const info = await readFile(daemonInfoPath(stateDir), 'utf8').catch(() => undefined);
  if (info === undefined) throw new DaemonCallError(`No daemon is running on ${resolve(stateDir)} (start one with: vp-daemon serve --state ${stateDir})`);
  const { url } = JSON.parse(info) as { url: string };
  const token = (await readFile(join(stateDir, 'api-token'), 'utf8')).trim();
  return { url, token };
}

/** Calls the control API of the daemon running on `stateDir`; `DaemonCallError` when there is none or it refuses. */
export async function daemonCall(stateDir: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const { url, token } = await connect(stateDir);
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((cause: unknown) => {
    throw new DaemonCallError(`The daemon at ${url} does not answer (${(cause as Error).message})`);
  });
  const text = await response.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = data as { code?: string; message?: string } | undefined;
    throw new DaemonCallError(`${error?.code ?? response.status}: ${error?.message ?? response.statusText}`, response.status);
  }
  return data;
}

type FleetRequestView = Pick<FleetRequestRecord, 'requestId' | 'state' | 'node' | 'attempts' | 'sessionId' | 'branch'>;

interface DaemonStatusView {
  pool: { activeCount: number; capacity: number; queuedCount: number; utilization: number };
  recovery: { totalCrashes: number };
  fleet?: { name: string; node: string; pausedUntil?: number; jobs: Record<string, number>; nodes: { id: string; running: number; maxSessions: number; paused: boolean; lost: boolean; heartbeatAt: number }[] };
}

/** `vp-daemon status` as text: this daemon's pool, then its fleet's nodes with their heartbeats. */
export function statusLines(status: DaemonStatusView, nowMs = Date.now()): string[] {
  const { pool, recovery, fleet } = status;
  const lines = [`active ${pool.activeCount}/${pool.capacity}, queued ${pool.queuedCount}, utilization ${pool.utilization}%, crashes ${recovery.totalCrashes}`];
  if (!fleet) return lines;
  const jobs = ['waiting', 'prioritized', 'delayed', 'active'].map((state) => `${state} ${fleet.jobs[state] ?? 0}`).join(', ');
  lines.push(`fleet ${fleet.name}: ${fleet.nodes.length} nodes, jobs ${jobs}${fleet.pausedUntil ? `, paused until ${new Date(fleet.pausedUntil).toISOString()} (rate limit)` : ''}`);
  const rows = fleet.nodes.map((n) => [
    n.id === fleet.node ? `${n.id} (this one)` : n.id,
    `${n.running}/${n.maxSessions}`,
    n.lost ? 'lost' : n.paused ? 'draining' : 'up',
    `${Math.max(0, Math.round((nowMs - n.heartbeatAt) / 1000))} s ago`,
  ]);
  lines.push(renderTable(['node', 'running', 'state', 'heartbeat'], rows));
  return lines;
}

// RegExp travel as '/source/flags' strings.
const toWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v)));

/** The commands that talk to a running daemon. Each prints its result; `json` prints raw JSON lines. */
export const clientCommands = {
  async submit(stateDir: string, file: string, options: LoadTaskFileOptions, json: boolean, print: (line: string) => void): Promise<number> {
    const request = await loadTaskFile(resolve(file), options);
    const result = (await daemonCall(stateDir, 'POST', '/v1/requests', toWire(request))) as { requestId: string; priority: string };
    print(json ? JSON.stringify(result) : `queued ${result.requestId} (priority ${result.priority})`);
    return 0;
  },
  async status(stateDir: string, json: boolean, print: (line: string) => void): Promise<number> {
    const status = (await daemonCall(stateDir, 'GET', '/v1/status')) as DaemonStatusView;
    if (json) print(JSON.stringify(status));
    else for (const line of statusLines(status)) print(line);
    return 0;
  },
  async sessions(stateDir: string, json: boolean, print: (line: string) => void): Promise<number> {
    const sessions = (await daemonCall(stateDir, 'GET', '/v1/sessions?limit=50')) as { sessionId: string; state: string; outcome?: string; requestId?: string; workspace?: WorkspaceStatus }[];
    const fleet = (await daemonCall(stateDir, 'GET', '/v1/fleet/requests?limit=50')) as FleetRequestView[];
    if (json) {
      for (const s of sessions) print(JSON.stringify(s));
      for (const r of fleet) print(JSON.stringify({ fleetRequest: r }));
      return 0;
    }
    print(renderTable(['session', 'state', 'outcome', 'request', 'branch'], sessions.map((s) => [s.sessionId, s.state, s.outcome ?? '', s.requestId ?? '', branchLine(s.workspace)])));
    if (fleet.length > 0) {
      print('');
      print('the whole fleet:');
      print(renderTable(['request', 'state', 'node', 'attempts', 'session', 'branch'], fleet.map((r) => [r.requestId, r.state, r.node ?? '', String(r.attempts), r.sessionId ?? '', r.branch ?? ''])));
    }
    return 0;
  },
  async logs(stateDir: string, sessionId: string, follow: boolean, json: boolean, print: (line: string) => void): Promise<number> {
    if (!follow) {
      const status = (await daemonCall(stateDir, 'GET', `/v1/sessions/${encodeURIComponent(sessionId)}`)) as { stdout?: string; status?: { stdout?: string } };
      print(json ? JSON.stringify(status) : (status.stdout ?? status.status?.stdout ?? ''));
      return 0;
    }
    const { url, token } = await connect(stateDir);
    const response = await fetch(`${url}/v1/sessions/${encodeURIComponent(sessionId)}/events`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok || !response.body) throw new DaemonCallError(`${response.status}: cannot follow ${sessionId}`, response.status);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (!event || data === undefined) continue;
        if (json) print(JSON.stringify({ event, data: JSON.parse(data) as unknown }));
        else if (event === 'output') process.stdout.write(JSON.parse(data) as string);
        else if (event === 'ended') print(`\n[session ended: ${(JSON.parse(data) as { state?: string }).state ?? '?'}]`);
      }
    }
    return 0;
  },
  async approve(stateDir: string, approvalId: string, print: (line: string) => void): Promise<number> {
    await daemonCall(stateDir, 'POST', `/v1/approvals/${encodeURIComponent(approvalId)}/approve`);
    print(`approved ${approvalId}`);
    return 0;
  },
  async deny(stateDir: string, approvalId: string, reason: string | undefined, print: (line: string) => void): Promise<number> {
    await daemonCall(stateDir, 'POST', `/v1/approvals/${encodeURIComponent(approvalId)}/deny`, { reason });
    print(`denied ${approvalId}`);
    return 0;
  },
  async cancel(stateDir: string, requestId: string, terminate: boolean, print: (line: string) => void): Promise<number> {
    await daemonCall(stateDir, 'POST', `/v1/requests/${encodeURIComponent(requestId)}/cancel`, { terminate });
    print(`cancelled ${requestId}`);
    return 0;
  },
  async drain(stateDir: string, timeoutMs: number, print: (line: string) => void): Promise<number> {
    await daemonCall(stateDir, 'POST', '/v1/drain', { timeoutMs });
    print('drained');
    return 0;
  },
};

