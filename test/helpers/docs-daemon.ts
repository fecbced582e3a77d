// A daemon for the docs' client commands, and the sessions, approvals and requests their placeholders stand for.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioMarker } from '../../src/testing/index.js';
import { makeRepo } from '../workspace/helpers.js';
import { daemonApi, startShell, stopGroup, subcommands, type Checkout } from './docs.js';
import { waitFor } from './fixtures.js';

/** Sessions the test's daemon runs at once: two that wait for approval fill it. */
export const CAPACITY = 2;

export interface Daemon {
  api: ReturnType<typeof daemonApi>;
  root: string;
  output(): string;
  /** Denies what still waits for approval, sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number>;
}

/** `vp-daemon serve` on the checkout's `.vp-daemon`, the state folder the printed commands use by default. */
export async function startDaemon(checkout: Checkout): Promise<Daemon> {
  const args = `--state .vp-daemon --charters examples/charters --max-sessions ${CAPACITY}`;
  const started = startShell(`vp-daemon serve ${args}`, checkout.root, checkout.env);
  const exited = started.result.then((r) => r.code);
  await Promise.race([
    waitFor(() => /serving on http/.test(started.output()), 30_000, 'the daemon to serve'),
    exited.then((code) => {
      throw new Error(`serve exited ${code}:\n${started.output()}`);
    }),
  ]);
  const api = daemonApi(join(checkout.root, '.vp-daemon'));
  let stopping: Promise<number> | undefined;
  return {
    api,
    root: checkout.root,
    output: started.output,
    stop: () =>
      (stopping ??= (async () => {
        const pending = await api.get<{ approvalId: string }[]>('/v1/approvals').catch(() => []);
        for (const { approvalId } of pending) await api.post(`/v1/approvals/${approvalId}/deny`, { reason: 'test over' }).catch(() => undefined);
        started.child.kill('SIGTERM');
        const code = await exited;
        stopGroup(started.child, 'SIGKILL');
        return code;
      })()),
  };
}

function docsRepository(root: string): string {
  const repo = join(root, 'docs-repo');
  if (!existsSync(repo)) makeRepo(root, undefined, 'docs-repo');
  return repo;
}

const PLACEHOLDER = /<session>|claude-session-…|<approval>|approval-…|<request>|req-…/g;

/**
 * Submits a task in `examples/` whose model follows `scenario`, with the examples' backend-engineer charter (by
 * name); `workspace`: in a workspace of a small repository beside the examples.
 */
async function submit(daemon: Daemon, scenario: string, workspace = false): Promise<string> {
  const request = {
    task: { id: `DOCS-${scenario}`, description: `Docs test ${scenarioMarker(scenario)}` },
    charter: 'backend-engineer',
    workingDirectory: join(daemon.root, 'examples'),
    ...(workspace && { workspace: { repository: docsRepository(daemon.root), keep: 'never' } }),
  };
  return (await daemon.api.post<{ requestId: string }>('/v1/requests', request)).requestId;
}

const pending = (daemon: Daemon): Promise<{ approvalId: string }[]> => daemon.api.get('/v1/approvals');

async function waitForApprovals(daemon: Daemon, count: number): Promise<string[]> {
  let ids: string[] = [];
  await waitFor(async () => (ids = (await pending(daemon)).map((a) => a.approvalId)).length >= count, 60_000, `${count} pending approvals`);
  return ids;
}

/**
 * Prepares what the placeholders of `text` stand for and returns the line with real ids: a finished session for
 * each session placeholder, a distinct pending approval for each approval placeholder, and for a request
 * placeholder a running request (`--terminate`) or a queued one (behind sessions that fill the daemon).
 */
export async function prepare(daemon: Daemon, text: string): Promise<string> {
  const found = text.match(PLACEHOLDER) ?? [];
  const sessions: string[] = [];
  // A diff needs a session that changed something in a workspace.
  const diff = subcommands(text).includes('diff');
  for (const token of found.filter((t) => /session/.test(t))) {
    const requestId = diff ? await submit(daemon, 'edit', true) : await submit(daemon, 'quick');
    let sessionId = '';
    await waitFor(async () => {
      const listed = await daemon.api.get<{ sessionId: string; state: string; requestId?: string }[]>('/v1/sessions');
      sessionId = listed.find((s) => s.requestId === requestId && s.state === 'completed')?.sessionId ?? '';
      return sessionId !== '';
    }, 60_000, `the session for ${token}`);
    sessions.push(sessionId);
  }
  const approvalCount = found.filter((t) => /approval/.test(t)).length;
  for (let i = 0; i < approvalCount; i++) await submit(daemon, 'approval');
  const approvals = await waitForApprovals(daemon, approvalCount);
  const requests: string[] = [];
  const requestCount = found.filter((t) => /request|req-/.test(t)).length;
  while (requests.length < requestCount) {
    if (/--terminate/.test(text)) {
      requests.push(await submit(daemon, 'approval'));
      await waitForApprovals(daemon, approvalCount + requests.length);
      continue;
    }
    for (let busy = approvalCount; busy < CAPACITY; busy++) await submit(daemon, 'approval');
    await waitForApprovals(daemon, Math.max(approvalCount, CAPACITY));
    // The line may answer its approvals before it cancels: the slots they free go to requests queued ahead,
    // so the request it cancels is still queued then.
    for (let ahead = 0; ahead < CAPACITY; ahead++) await submit(daemon, 'quick');
    requests.push(await submit(daemon, 'quick'));
    await waitFor(async () => (await daemon.api.get<{ pool: { queuedCount: number } }>('/v1/status')).pool.queuedCount >= CAPACITY + 1, 30_000, 'a queued request');
  }
  const next = { session: sessions.values(), approval: approvals.values(), request: requests.values() };
  return text.replace(PLACEHOLDER, (token) => {
    const kind = /session/.test(token) ? 'session' : /approval/.test(token) ? 'approval' : 'request';
    const value = next[kind].next().value;
    if (value === undefined) throw new Error(`nothing prepared for ${token} in ${text}`);
    return value;
  });
}
