import type { StopReason } from './outcome.js';

/** The three deadlines of a session, in ms; 0 disables one. */
export interface DeadlineSettings {
  /** Until the first `system/init`. */
  startupMs: number;
  /** Longest silence on stdout. */
  idleMs: number;
  /** Total wall-clock time. */
  wallMs: number;
}

/** The wall-clock limit: the stricter of the session's `timeout` and the charter's `maxExecutionTime` (0 = none). */
export function wallClockMs(timeout: number | undefined, maxExecutionTime: number): number {
  const limits = [timeout ?? 0, maxExecutionTime].filter((ms) => ms > 0);
  return limits.length > 0 ? Math.min(...limits) : 0;
}

/** Arms a session's deadlines and calls `onExpire` once with the first one that passes. */
export class Deadlines {
  readonly #timers = new Map<StopReason, NodeJS.Timeout>();
  readonly #onExpire: (reason: StopReason) => void;

  constructor(settings: DeadlineSettings, onExpire: (reason: StopReason) => void) {
    this.#onExpire = onExpire;
    this.#arm('timeout:startup', settings.startupMs);
    this.#arm('timeout:idle', settings.idleMs);
    this.#arm('timeout:wall', settings.wallMs);
  }

  /** The CLI reported `system/init`. */
  started(): void {
    this.#clear('timeout:startup');
  }

  /** Output arrived: the idle deadline starts again. */
  activity(): void {
    this.#timers.get('timeout:idle')?.refresh();
  }

  clearAll(): void {
    for (const reason of [...this.#timers.keys()]) this.#clear(reason);
  }

  #arm(reason: StopReason, ms: number): void {
    if (ms <= 0) return;
    const timer = setTimeout(() => {
      this.#timers.delete(reason);
      this.#onExpire(reason);
    }, ms);
    this.#timers.set(reason, timer);
  }

  #clear(reason: StopReason): void {
    clearTimeout(this.#timers.get(reason));
    this.#timers.delete(reason);
  }
}
