import { FILE_TOOL_PATH_FIELD } from '../charter/tools.js';
import { addCounts, TurnUsage, type UsageCounts } from './live-usage.js';
import {
  isAssistant,
  isInit,
  isResult,
  isStreamEvent,
  isUser,
  KNOWN_MESSAGE_TYPES,
  type ResultMessage,
  type StreamMessage,
} from './stream/messages.js';
import type { ClaudeSessionStatus, SessionMetrics, TokenUsage } from '../session/types.js';

/** What the CLI said about retrying a failing API call. */
export interface ApiRetryEvidence {
  attempt?: number;
  error?: string;
  errorStatus?: number;
  retryDelayMs?: number;
}

export const emptyTokenUsage = (): TokenUsage => ({ input: 0, output: 0, cacheCreation: 0, cacheRead: 0, total: 0 });

export const emptyMetrics = (): SessionMetrics => ({
  commandsExecuted: 0,
  filesModified: 0,
  approvalPrompts: 0,
  escalations: 0,
  errors: 0,
  turns: 0,
  toolCalls: {},
  toolErrors: 0,
  permissionDenials: 0,
  malformedLines: 0,
  unknownMessages: 0,
  unknownMessageTypes: [],
});

/** A session's status before anything has been counted: what a new session starts with. */
export function freshStatus(fields: Pick<ClaudeSessionStatus, 'sessionId' | 'claudeSessionId' | 'state' | 'files'> & Partial<ClaudeSessionStatus>): ClaudeSessionStatus {
  return { startTime: new Date(), stdout: '', stderr: '', tokenUsage: emptyTokenUsage(), costUsd: 0, metrics: emptyMetrics(), modifiedFiles: [], ...fields };
}

const MAX_UNKNOWN_TYPES = 20;
const MAX_TYPE_NAME = 64;

function withTotal(u: UsageCounts): TokenUsage {
  return { ...u, total: u.input + u.output + u.cacheCreation + u.cacheRead };
}

// The CLI's cumulative per-model counters (side calls included) when present, else the turn's usage.
function tokensFromResult(result: ResultMessage, before: TokenUsage): TokenUsage {
  const models = Object.values(result.modelUsage ?? {});
  if (models.length > 0) {
    const sum = (pick: (m: (typeof models)[number]) => number | undefined): number =>
      models.reduce((acc, m) => acc + (pick(m) ?? 0), 0);
    return withTotal({
      input: sum((m) => m.inputTokens),
      output: sum((m) => m.outputTokens),
      cacheCreation: sum((m) => m.cacheCreationInputTokens),
      cacheRead: sum((m) => m.cacheReadInputTokens),
    });
  }
  const u = result.usage ?? {};
  return withTotal({
    input: before.input + (u.input_tokens ?? 0),
    output: before.output + (u.output_tokens ?? 0),
    cacheCreation: before.cacheCreation + (u.cache_creation_input_tokens ?? 0),
    cacheRead: before.cacheRead + (u.cache_read_input_tokens ?? 0),
  });
}

/**
 * Folds stream-json messages into metrics. Pure bookkeeping: no I/O, no clocks.
 * Token totals and cost follow the CLI's `result` exactly; between results, `liveTokens` and `liveCostUsd`
 * add the model calls of the running turn, counted from their `stream_event`s (`message_start` for input
 * and cache tokens, `message_delta` for output tokens) and assistant messages, each call once, so budgets
 * can act while a call runs. A `result` replaces the live figures with the CLI's own.
 */
export class MetricsAccumulator {
  readonly metrics: SessionMetrics = emptyMetrics();
  tokenUsage: TokenUsage = emptyTokenUsage();
  costUsd = 0;
  model: string | undefined;
  claudeCodeVersion: string | undefined;
  lastResult: ResultMessage | undefined;
  /** The `error` field of the last CLI-made assistant message, e.g. `rate_limit`. */
  lastAssistantError: string | undefined;
  readonly modifiedFiles = new Set<string>();
  // File-tool calls waiting for their result: tool_use id -> path.
  readonly #pendingWrites = new Map<string, string>();
  // Usage of the running turn's model calls (since the last `result`), from stream events and assistant messages.
  readonly #turn = new TurnUsage();

  /** Tokens used so far, including the running turn. O(1). */
  get liveTokens(): number {
    return this.tokenUsage.total + this.#turn.tokens;
  }

  /**
   * Cost so far in USD: the CLI's `total_cost_usd` of the last result plus an estimate of the running
   * turn from its token counts (see pricing.ts). O(1).
   */
  get liveCostUsd(): number {
    return this.costUsd + this.#turn.costUsd;
  }

  /** The CLI's last `system/api_retry` report (its own retries of a failing API call). */
  lastApiRetry: ApiRetryEvidence | undefined;
  /** Epoch ms at which a reported rate limit resets (`rate_limit_event`), if any. */
  rateLimitResetsAtMs: number | undefined;

  apply(message: StreamMessage): void {
    if (isStreamEvent(message)) this.#turn.streamEvent(message, this.model);
    else if (isAssistant(message)) this.#assistant(message);
    else if (isUser(message)) this.#user(message);
    else if (isResult(message)) this.#result(message);
    else if (isInit(message)) {
      this.model = message.model ?? this.model;
      this.claudeCodeVersion = message.claude_code_version ?? this.claudeCodeVersion;
    } else if (message.type === 'system' && message.subtype === 'api_retry') {
      const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
      this.lastApiRetry = {
        attempt: num(message['attempt']),
        error: typeof message['error'] === 'string' ? message['error'] : undefined,
        errorStatus: num(message['error_status']),
        retryDelayMs: num(message['retry_delay_ms']),
      };
    } else if (message.type === 'rate_limit_event') {
      const info = message['rate_limit_info'] as { resetsAt?: unknown } | undefined;
      // resetsAt is in seconds since the epoch.
      if (typeof info?.resetsAt === 'number') this.rateLimitResetsAtMs = info.resetsAt * 1000;
    } else if (!KNOWN_MESSAGE_TYPES.has(message.type)) this.#unknown(message.type);
  }

  #unknown(type: string): void {
    const m = this.metrics;
    m.unknownMessages += 1;
    // Bounded: a CLI that makes up a type per line must not grow the status.
    const name = type.slice(0, MAX_TYPE_NAME);
    if (m.unknownMessageTypes.length >= MAX_UNKNOWN_TYPES || m.unknownMessageTypes.includes(name)) return;
    m.unknownMessageTypes = [...m.unknownMessageTypes, name].sort();
  }

  /**
   * Counts the usage of a turn that ended without a `result` (the process died mid-turn, e.g. stopped at
   * its budget): its live token counts, and its estimated cost, since the CLI reported none for it.
   */
  settleOpenTurn(): void {
    this.tokenUsage = withTotal(addCounts(this.tokenUsage, this.#turn.counts()));
    this.costUsd += this.#turn.costUsd;
    this.#turn.reset();
  }

  #assistant(message: Extract<StreamMessage, { type: 'assistant' }>): void {
    if (message.error !== undefined) {
      this.lastAssistantError = message.error;
      this.metrics.errors += 1;
    }
    // `typeof null` is 'object', so the type guard lets `"message": null` through.
    if (message.message === null) return;
    const { id, usage, content } = message.message;
    if (typeof id === 'string' && typeof usage === 'object' && usage !== null) {
      this.#turn.note(id, usage, typeof message.message.model === 'string' ? message.message.model : this.model);
    }
    for (const block of Array.isArray(content) ? content : []) {
      if (typeof block !== 'object' || block === null) continue;
      if (block.type !== 'tool_use' || typeof block['name'] !== 'string') continue;
      const name = block['name'];
      this.metrics.toolCalls[name] = (this.metrics.toolCalls[name] ?? 0) + 1;
      if (name === 'Bash') this.metrics.commandsExecuted += 1;
      const pathKey = FILE_TOOL_PATH_FIELD[name];
      const input = block['input'] as Record<string, unknown> | undefined;
      const path = pathKey ? input?.[pathKey] : undefined;
      // The file counts once its tool result says the call succeeded (denied writes change nothing).
      if (typeof path === 'string' && typeof block['id'] === 'string') this.#pendingWrites.set(block['id'], path);
    }
  }

  #user(message: Extract<StreamMessage, { type: 'user' }>): void {
    const content = message.message === null ? undefined : message.message.content;
    if (!Array.isArray(content)) return;
    for (const block of content) {
      if (typeof block !== 'object' || block === null) continue;
      if (block.type !== 'tool_result') continue;
      const id = typeof block['tool_use_id'] === 'string' ? block['tool_use_id'] : '';
      const path = this.#pendingWrites.get(id);
      this.#pendingWrites.delete(id);
      if (block['is_error'] === true) {
        this.metrics.toolErrors += 1;
        this.metrics.errors += 1;
      } else if (path !== undefined) {
        this.modifiedFiles.add(path);
        this.metrics.filesModified = this.modifiedFiles.size;
      }
    }
  }

  #result(result: ResultMessage): void {
    this.lastResult = result;
    this.metrics.turns += result.num_turns ?? 0;
    this.metrics.permissionDenials += result.permission_denials?.length ?? 0;
    this.tokenUsage = tokensFromResult(result, this.tokenUsage);
    this.#turn.reset();
    if (typeof result.total_cost_usd === 'number') this.costUsd = result.total_cost_usd;
  }
}
