import { costAt, priceFor, type ModelPrice, type PricedUsage } from './pricing.js';
import type { StreamEventMessage, WireUsage } from './stream/messages.js';
import type { TokenUsage } from '../session/types.js';

/** Token counts without the total. */
export type UsageCounts = Omit<TokenUsage, 'total'>;

export const zeroCounts = (): UsageCounts => ({ input: 0, output: 0, cacheCreation: 0, cacheRead: 0 });

export const addCounts = (a: UsageCounts, b: UsageCounts): UsageCounts => ({
  input: a.input + b.input,
  output: a.output + b.output,
  cacheCreation: a.cacheCreation + b.cacheCreation,
  cacheRead: a.cacheRead + b.cacheRead,
});

const countsTotal = (u: UsageCounts): number => u.input + u.output + u.cacheCreation + u.cacheRead;

// One model call of the running turn, with the highest counts seen for it.
interface OpenCall {
  usage: PricedUsage;
  model: string | undefined;
  // Looked up once per call (again only if its speed changes).
  price: ModelPrice | undefined;
  tokens: number;
  costUsd: number;
}

// Calls kept by message id. A call's lines arrive close together, so only recent ids can still change;
// older ones are folded into the sums. Generous, for subagents streaming side by side.
const RECENT_CALLS = 64;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/**
 * The usage of the model calls of one running turn, from every report of them: the `message_start` and
 * `message_delta` stream events (`--include-partial-messages`) and the assistant messages. Every report
 * of a call is a cumulative snapshot of that same call, so each count keeps its highest value per message
 * id: a call is counted once however many reports it has, and output tokens are counted as soon as a
 * `message_delta` reports them (the assistant messages carry only the `message_start` figures).
 *
 * Every update is O(1): the sums are kept current and only the most recent calls are held.
 */
export class TurnUsage {
  readonly #calls = new Map<string, OpenCall>();
  // The call streaming on each stream: the main loop ('') and each subagent (its Task tool_use id).
  // `message_delta` names no message; a stream runs one model call at a time.
  readonly #streaming = new Map<string, string>();
  #folded: UsageCounts = zeroCounts();
  #tokens = 0;
  #costUsd = 0;

  /** Tokens of the turn so far. */
  get tokens(): number {
    return this.#tokens;
  }

  /** Estimated cost of the turn so far, in USD (see pricing.ts). */
  get costUsd(): number {
    return this.#costUsd;
  }

  /** Notes a report of call `id`; `model` prices it (the session's model when the call names none). */
  note(id: string, wire: WireUsage, model: string | undefined): void {
    const call = this.#calls.get(id) ?? this.#open(id);
    const u = call.usage;
    const w = wire as WireUsage & { cache_creation?: { ephemeral_1h_input_tokens?: unknown }; speed?: unknown };
    u.input = Math.max(u.input, num(w.input_tokens) ?? 0);
    u.output = Math.max(u.output, num(w.output_tokens) ?? 0);
    u.cacheCreation = Math.max(u.cacheCreation, num(w.cache_creation_input_tokens) ?? 0);
    u.cacheRead = Math.max(u.cacheRead, num(w.cache_read_input_tokens) ?? 0);
    u.cacheCreation1h = Math.max(u.cacheCreation1h ?? 0, num(w.cache_creation?.ephemeral_1h_input_tokens) ?? 0);
    if (typeof w.speed === 'string' && w.speed !== u.speed) {
      u.speed = w.speed;
      call.price = undefined;
    }
    call.model ??= model;
    call.price ??= priceFor(call.model, u.speed);
    const tokens = countsTotal(u);
    const costUsd = costAt(u, call.price);
    this.#tokens += tokens - call.tokens;
    this.#costUsd += costUsd - call.costUsd;
    call.tokens = tokens;
    call.costUsd = costUsd;
  }

  /** Notes the usage in a `stream_event`: `message_start` (input and cache tokens) and `message_delta` (output tokens). */
  streamEvent(message: StreamEventMessage, sessionModel: string | undefined): void {
    const { event } = message;
    const stream = typeof message.parent_tool_use_id === 'string' ? message.parent_tool_use_id : '';
    if (event.type === 'message_start') {
      const start = event.message;
      if (typeof start !== 'object' || start === null || typeof start.id !== 'string') return;
      this.#streaming.set(stream, start.id);
      const model = typeof start.model === 'string' ? start.model : sessionModel;
      if (typeof start.usage === 'object' && start.usage !== null) this.note(start.id, start.usage, model);
    } else if (event.type === 'message_delta') {
      const id = typeof message.api_message_id === 'string' ? message.api_message_id : this.#streaming.get(stream);
      if (id !== undefined && typeof event.usage === 'object' && event.usage !== null) this.note(id, event.usage, sessionModel);
    } else if (event.type === 'message_stop') {
      this.#streaming.delete(stream);
    }
  }

  /** The turn's counts by kind. O(number of recent calls); for settling a turn, not per line. */
  counts(): UsageCounts {
    let sum = this.#folded;
    for (const { usage } of this.#calls.values()) sum = addCounts(sum, usage);
    return sum;
  }

  /** Starts a new turn. */
  reset(): void {
    this.#calls.clear();
    this.#streaming.clear();
    this.#folded = zeroCounts();
    this.#tokens = 0;
    this.#costUsd = 0;
  }

  #open(id: string): OpenCall {
    const call: OpenCall = { usage: { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 }, model: undefined, price: undefined, tokens: 0, costUsd: 0 };
    this.#calls.set(id, call);
    if (this.#calls.size > RECENT_CALLS) {
      const [oldestId, oldest] = this.#calls.entries().next().value as [string, OpenCall];
      this.#calls.delete(oldestId);
      // Its tokens and cost stay in the sums; only its counts by kind move to the folded part.
      this.#folded = addCounts(this.#folded, oldest.usage);
    }
    return call;
  }
}
