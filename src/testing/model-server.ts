import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findScenarioMarker, say, stepAt, type ModelStep, type Scenario } from './scenario.js';
import { sendApiError, streamAnswer } from './sse.js';

/** A model call the offline server received. */
export interface RecordedRequest {
  readonly path: string;
  readonly claudeSessionId: string | undefined;
  readonly scenario: string | undefined;
  /** The parsed JSON body (`system`, `messages`, `tools`, ...). */
  readonly body: Record<string, unknown>;
  /** The whole body as text, handy for `includes` checks. */
  readonly text: string;
  readonly receivedAt: number;
}

/** Options of {@link startModelServer}. */
export interface ModelServerOptions {
  readonly scenarios?: readonly Scenario[];
  /** Scenario for requests that name none. Default: a one-line text answer. */
  readonly defaultScenario?: Scenario;
  /**
   * Model name reported in answers. Default: the model the request names, as the API does (so the CLI's
   * and the daemon's price tables both see a real model name), else `claude-offline-1`.
   */
  readonly model?: string;
  /** Most recent requests kept in `requests`. @default 1000 */
  readonly maxRecorded?: number;
}

/** A running offline stand-in for the Anthropic Messages API, on loopback. */
export interface ModelServer {
  /** `http://127.0.0.1:<port>`: use as `ANTHROPIC_BASE_URL`. */
  readonly url: string;
  /** Environment that points the Claude CLI at this server. */
  readonly env: Readonly<Record<string, string>>;
  readonly requests: readonly RecordedRequest[];
  addScenario(scenario: Scenario): void;
  /** Routes every request of one Claude session id to a scenario. */
  assign(claudeSessionId: string, scenarioName: string): void;
  /** Model calls seen for a Claude session id (or all when omitted). */
  modelCalls(claudeSessionId?: string): RecordedRequest[];
  close(): Promise<void>;
}

const FALLBACK: Scenario = { name: 'default', steps: [say('Done.')] };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

const countAssistantTurns = (body: Record<string, unknown>): number =>
  Array.isArray(body['messages'])
    ? body['messages'].filter((m: unknown) => (m as { role?: unknown }).role === 'assistant').length
    : 0;

/** Starts the offline model server on 127.0.0.1 with an ephemeral port. */
export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const scenarios = new Map<string, Scenario>((options.scenarios ?? []).map((s) => [s.name, s]));
  const assigned = new Map<string, string>();
  const attempts = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const maxRecorded = options.maxRecorded ?? 1000;
  const inFlight = new Set<ServerResponse>();

  const pickStep = (scenario: Scenario, key: string, turns: number): ModelStep | undefined => {
    let step = stepAt(scenario, turns);
    if (step?.kind !== 'error') return step;
    const attemptKey = `${key}:${turns}`;
    const seen = attempts.get(attemptKey) ?? 0;
    attempts.set(attemptKey, seen + 1);
    if (step.times !== undefined && seen >= step.times) step = step.then ?? say('Recovered.');
    return step;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'POST' || path !== '/v1/messages') {
      res.writeHead(path === '/v1/messages/count_tokens' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(path === '/v1/messages/count_tokens' ? { input_tokens: 100 } : { type: 'error' }));
      return;
    }
    const text = await readBody(req);
    const body = JSON.parse(text) as Record<string, unknown>;
    const header = req.headers['x-claude-code-session-id'];
    const claudeSessionId = typeof header === 'string' ? header : undefined;
    const markerName = findScenarioMarker(JSON.stringify(body['messages'] ?? ''));
    const name = markerName ?? (claudeSessionId ? assigned.get(claudeSessionId) : undefined);
    const scenario = (name ? scenarios.get(name) : undefined) ?? options.defaultScenario ?? FALLBACK;
    // Side calls of the CLI (titles, summaries) carry no tools: answer them without using the script.
    const isMainLoop = Array.isArray(body['tools']) && body['tools'].length > 0;
    requests.push({ path, claudeSessionId, scenario: isMainLoop ? scenario.name : undefined, body, text, receivedAt: Date.now() });
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);

    const turns = countAssistantTurns(body);
    const step = isMainLoop ? (pickStep(scenario, claudeSessionId ?? 'anonymous', turns) ?? say('Done.')) : say('ok');
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    if (step.kind === 'hang') {
      inFlight.add(res);
      res.on('close', () => inFlight.delete(res));
      return;
    }
    if (step.kind === 'error') {
      sendApiError(res, step);
      return;
    }
    const model = options.model ?? (typeof body['model'] === 'string' && body['model'] !== '' ? body['model'] : 'claude-offline-1');
    await streamAnswer(res, step, model, scenario.usage, abort.signal).catch(() => res.destroy());
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    env: { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-offline-test-key', CLAUDE_CODE_MAX_RETRIES: '0' },
    requests,
    addScenario: (scenario) => void scenarios.set(scenario.name, scenario),
    assign: (claudeSessionId, scenarioName) => void assigned.set(claudeSessionId, scenarioName),
    modelCalls: (claudeSessionId) =>
      requests.filter((r) => r.scenario !== undefined && (claudeSessionId === undefined || r.claudeSessionId === claudeSessionId)),
    close: async () => {
      for (const res of inFlight) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
