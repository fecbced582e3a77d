/** How retry delays grow. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms (>= 0). */
  retryDelayMs: number;
  /** Growth per attempt (>= 1). */
  backoffMultiplier: number;
  /** Upper bound of every delay, in ms (>= 0). */
  maxDelayMs: number;
  /** Random spread as a fraction, 0..1: 0.2 means ±20 %. */
  jitter: number;
}

/** When to recover: at once, after a backoff delay, or only when triggered by hand. */
export type RecoveryStrategy = 'immediate' | 'delayed' | 'manual';

/**
 * Delay before retry number `attempt` (1-based), in whole ms:
 * `min(maxDelayMs, retryDelayMs * backoffMultiplier^(attempt-1))`, multiplied by
 * `1 - jitter + 2 * jitter * random()` and clamped to `[0, maxDelayMs]`.
 * Throws RangeError for an attempt that is not an integer >= 1 or for options out of range.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  checkAttempt(attempt);
  const { retryDelayMs, backoffMultiplier, maxDelayMs, jitter } = options;
  if (!(retryDelayMs >= 0 && retryDelayMs < Infinity)) throw new RangeError(`retryDelayMs must be a finite number >= 0; got ${retryDelayMs}`);
  if (!(backoffMultiplier >= 1 && backoffMultiplier < Infinity)) {
    throw new RangeError(`backoffMultiplier must be a finite number >= 1; got ${backoffMultiplier}`);
  }
  if (!(maxDelayMs >= 0)) throw new RangeError(`maxDelayMs must be >= 0; got ${maxDelayMs}`);
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`jitter must be between 0 and 1; got ${jitter}`);
  // retryDelayMs 0 stays 0 even where multiplier^n overflows to Infinity (0 * Infinity is NaN).
  const base = retryDelayMs === 0 ? 0 : Math.min(maxDelayMs, retryDelayMs * backoffMultiplier ** (attempt - 1));
  const factor = jitter === 0 ? 1 : 1 - jitter + 2 * jitter * random();
  const delay = Math.round(base * factor);
  return Number.isFinite(delay) ? Math.min(maxDelayMs, Math.max(0, delay)) : maxDelayMs;
}

/** Delay for a strategy: `immediate` → 0, `delayed` → {@link backoffDelayMs}, `manual` → undefined (wait for a trigger). */
export function strategyDelayMs(
  strategy: RecoveryStrategy,
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number | undefined {
  checkAttempt(attempt);
  switch (strategy) {
    case 'immediate':
      return 0;
    case 'delayed':
      return backoffDelayMs(attempt, options, random);
    case 'manual':
      return undefined;
  }
  throw new RangeError(`Unknown recovery strategy: ${String(strategy)}`);
}

function checkAttempt(attempt: number): void {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1; got ${attempt}`);
}
