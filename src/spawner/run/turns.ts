import { isInit, isResult, type StreamMessage } from '../stream/messages.js';
import { BackgroundTasks } from './background-tasks.js';

/**
 * The turns of a session: user messages sent, the `result`s that answer them, and the background tasks the
 * session waits for. The work is done (`onAnswered`, once) when every message has its result, no background
 * task runs, and the turn in which the CLI reports the end of the last one has its result too.
 */
export class Turns {
  readonly tasks = new BackgroundTasks();
  readonly #graceMs: number;
  readonly #onAnswered: () => void;
  // Turns started and not yet answered by a `result`: the first message, then each follow-up.
  #pending = 1;
  #answered = false;
  // A background task ended: the CLI starts a turn of its own to tell the model.
  #turnExpected = false;
  #expectTimer: NodeJS.Timeout | undefined;

  /** `graceMs`: how long to wait for a turn the CLI is expected to start before giving up on it. */
  constructor(graceMs: number, onAnswered: () => void) {
    this.#graceMs = graceMs;
    this.#onAnswered = onAnswered;
  }

  /** True once the work is done: the session is ending. */
  get answered(): boolean {
    return this.#answered;
  }

  /** A follow-up user message was sent. */
  sent(): void {
    this.#pending += 1;
  }

  /** Folds in a message: `system/init` starts a turn, `result` ends one, task messages track the background tasks. */
  apply(message: StreamMessage): void {
    if (this.tasks.apply(message)) this.#turnExpected = true;
    if (isInit(message)) {
      // A turn the CLI started by itself (to report a background task) is waited for like one we asked for.
      if (this.#pending <= 0) this.#pending = 1;
      this.#turnExpected = false;
      clearTimeout(this.#expectTimer);
      this.#expectTimer = undefined;
    } else if (isResult(message)) this.#pending = Math.max(0, this.#pending - 1);
    this.#settle();
  }

  /** Stops waiting (the process ended). */
  close(): void {
    clearTimeout(this.#expectTimer);
  }

  #settle(): void {
    if (this.#answered || this.#pending > 0 || this.tasks.count > 0) return;
    if (this.#turnExpected) {
      // The CLI may also report the end within a running turn: then no turn of its own comes.
      this.#expectTimer ??= setTimeout(() => {
        this.#turnExpected = false;
        this.#settle();
      }, this.#graceMs);
      return;
    }
    this.#answered = true;
    this.#onAnswered();
  }
}
