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

/**
 * Arms a session's deadlines and calls `onExpire` once with the first one that passes.
 *
 * Output only notes the time: the idle timer, when it fires, arms itself again for what is left of the
 * silence, so a session printing ten lines a second costs a clock read per line, not a timer update.
 */
export class Deadlines {
  readonly #timers = new Map<StopReason, NodeJS.Timeout>();
  readonly #onExpire: (reason: StopReason) => void;
  // When each armed deadline passes (epoch ms; the idle one from #lastOutputMs), and what is left of paused ones.
  readonly #due = new Map<StopReason, number>();
  readonly #paused = new Map<StopReason, number>();
  readonly #idleMs: number;
  #lastOutputMs = 0;
  #pauseDepth = 0;

  constructor(settings: DeadlineSettings, onExpire: (reason: StopReason) => void) {
    this.#onExpire = onExpire;
    this.#idleMs = settings.idleMs;
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
    this.#lastOutputMs = Date.now();
  }

  /** Stops the wall and idle clocks (time spent waiting for a person does not count). Nests. */
  pause(): void {
    this.#pauseDepth += 1;
    if (this.#pauseDepth > 1) return;
    for (const reason of ['timeout:wall', 'timeout:idle'] as const) {
      const due = this.#dueOf(reason);
      if (due === undefined || !this.#timers.has(reason)) continue;
      this.#paused.set(reason, Math.max(0, due - Date.now()));
      this.#clear(reason);
    }
  }

  /** Restarts the clocks stopped by {@link pause} with the time they had left. */
  resume(): void {
    if (this.#pauseDepth === 0) return;
    this.#pauseDepth -= 1;
    if (this.#pauseDepth > 0) return;
    for (const [reason, left] of this.#paused) this.#arm(reason, Math.max(1, left));
    this.#paused.clear();
  }

  clearAll(): void {
    this.#paused.clear();
    for (const reason of [...this.#timers.keys()]) this.#clear(reason);
  }

  #dueOf(reason: StopReason): number | undefined {
    return reason === 'timeout:idle' ? this.#lastOutputMs + this.#idleMs : this.#due.get(reason);
  }

  #arm(reason: StopReason, ms: number): void {
    if (ms <= 0) return;
    const now = Date.now();
    if (reason === 'timeout:idle') this.#lastOutputMs = now + ms - this.#idleMs;
    else this.#due.set(reason, now + ms);
    this.#timers.set(reason, setTimeout(() => this.#fire(reason), ms));
  }

  #fire(reason: StopReason): void {
    const left = (this.#dueOf(reason) ?? 0) - Date.now();
    // Output came since the idle timer was set: it waits for the rest of the silence.
    if (reason === 'timeout:idle' && left > 0) {
      this.#timers.set(reason, setTimeout(() => this.#fire(reason), left));
      return;
    }
    // Only the first deadline to pass is reported.
    this.clearAll();
    this.#onExpire(reason);
  }

  #clear(reason: StopReason): void {
    clearTimeout(this.#timers.get(reason));
    this.#timers.delete(reason);
  }
}
