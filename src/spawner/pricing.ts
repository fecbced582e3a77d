// A small price table for estimating a session's cost live, while a turn runs. The final figure is
// always the CLI's own `total_cost_usd`; this estimate only decides when to stop at `maxCostUsd`.

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Prompt cache writes with the default 5-minute lifetime. */
  cacheWrite: number;
  /** Prompt cache writes with the 1-hour lifetime. */
  cacheWrite1h: number;
  cacheRead: number;
}

/** The token counts of one model call, as the Messages API reports them. */
export interface PricedUsage {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  /** The part of `cacheCreation` written with the 1-hour lifetime. */
  cacheCreation1h?: number;
  /** `usage.speed` of the call (`fast` costs more on some models). */
  speed?: string;
}

const price = (input: number, output: number): ModelPrice => ({
  input,
  output,
  cacheWrite: input * 1.25,
  cacheWrite1h: input * 2,
  cacheRead: input / 10,
});

const HAIKU_35 = price(0.8, 4);
const HAIKU_45 = price(1, 5);
const SONNET = price(3, 15);
const OPUS_4 = price(15, 75);
const OPUS_45 = price(5, 25);
const FABLE_5 = price(10, 50);

// The prices Claude Code 2.1.x charges per model family (its own table), by canonical name.
const PRICES: Record<string, ModelPrice> = {
  'claude-3-5-haiku': HAIKU_35,
  'claude-haiku-3-5': HAIKU_35,
  'claude-haiku-4-5': HAIKU_45,
  'claude-3-5-sonnet': SONNET,
  'claude-3-7-sonnet': SONNET,
  'claude-sonnet-3-7': SONNET,
  'claude-sonnet-4': SONNET,
  'claude-sonnet-4-0': SONNET,
  'claude-sonnet-4-5': SONNET,
  'claude-sonnet-4-6': SONNET,
  'claude-sonnet-5': SONNET,
  'claude-3-opus': OPUS_4,
  'claude-opus-4': OPUS_4,
  'claude-opus-4-0': OPUS_4,
  'claude-opus-4-1': OPUS_4,
  'claude-opus-4-5': OPUS_45,
  'claude-opus-4-6': OPUS_45,
  'claude-opus-4-7': OPUS_45,
  'claude-opus-4-8': OPUS_45,
  'claude-fable-5': FABLE_5,
  'claude-mythos-5': FABLE_5,
};

// Fast mode (`usage.speed: "fast"`) has prices of its own on these models.
const FAST_PRICES: Record<string, ModelPrice> = {
  'claude-opus-4-6': price(30, 150),
  'claude-opus-4-7': price(30, 150),
  'claude-opus-4-8': FABLE_5,
};

/**
 * The price used for a model this table does not know: the most expensive standard price in it.
 * An unknown model (a new one, or a gateway's own name) must make the estimate err towards stopping
 * early, never towards spending past the budget.
 */
export const UNKNOWN_MODEL_PRICE: ModelPrice = OPUS_4;

/**
 * The canonical name of a model: lower case, without a provider prefix (`us.anthropic.`), a context
 * suffix (`[1m]`), a date (`-20250929`) or a version suffix (`-v1:0`).
 */
export function canonicalModel(model: string): string {
  let name = model.trim().toLowerCase();
  const start = name.indexOf('claude-');
  if (start > 0) name = name.slice(start);
  return name
    .replace(/\[[^\]]*\]$/, '')
    .replace(/-v\d+(:\d+)?$/, '')
    .replace(/-\d{8}$/, '')
    .replace(/@\d{8}$/, '');
}

// Canonical names by model string: a session names the same model in every message (bounded: a gateway
// may make names up).
const canonicalCache = new Map<string, string>();
const MAX_CACHED_NAMES = 256;

/** The known price of a model, or `undefined`. */
export function knownPrice(model: string | undefined, speed?: string): ModelPrice | undefined {
  if (model === undefined || model === '') return undefined;
  let name = canonicalCache.get(model);
  if (name === undefined) {
    name = canonicalModel(model);
    if (canonicalCache.size >= MAX_CACHED_NAMES) canonicalCache.clear();
    canonicalCache.set(model, name);
  }
  return (speed === 'fast' ? FAST_PRICES[name] : undefined) ?? PRICES[name];
}

/** The price to estimate with: the model's own, else {@link UNKNOWN_MODEL_PRICE}. */
export const priceFor = (model: string | undefined, speed?: string): ModelPrice => knownPrice(model, speed) ?? UNKNOWN_MODEL_PRICE;

/** The estimated cost of one model call in USD. Pure. */
export const estimateCostUsd = (usage: PricedUsage, model: string | undefined): number => costAt(usage, priceFor(model, usage.speed));

/** The cost of one model call at a given price, in USD. Pure. */
export function costAt(usage: PricedUsage, p: ModelPrice): number {
  const longCache = Math.min(usage.cacheCreation1h ?? 0, usage.cacheCreation);
  const perMillion =
    usage.input * p.input +
    usage.output * p.output +
    (usage.cacheCreation - longCache) * p.cacheWrite +
    longCache * p.cacheWrite1h +
    usage.cacheRead * p.cacheRead;
  return perMillion / 1e6;
}
