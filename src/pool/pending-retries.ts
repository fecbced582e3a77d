import type { RecoveryPort, Retry } from './recovery-port.js';
import type { Ticket } from './ticket.js';

/** Requests waiting out the delay before a retry. They hold no slot; taking one out aborts its wait. */
export class PendingRetries {
  readonly #waiting = new Map<string, { ticket: Ticket; abort: AbortController }>();
  readonly #port: RecoveryPort;
  readonly #onEmpty: () => void;

  constructor(port: RecoveryPort, onEmpty: () => void) {
    this.#port = port;
    this.#onEmpty = onEmpty;
  }

  get size(): number {
    return this.#waiting.size;
  }

  has(requestId: string): boolean {
    return this.#waiting.has(requestId);
  }

  /** Waits out the plan, then calls `done(go)`: go is false when the recovery abandoned the chain. Not called for a ticket taken out first. */
  wait(ticket: Ticket, plan: Retry, done: (go: boolean) => void): void {
    const { requestId } = ticket.request;
    const abort = new AbortController();
    this.#waiting.set(requestId, { ticket, abort });
    void this.#port.wait(ticket, plan, abort.signal).then((go) => {
      if (this.#waiting.get(requestId)?.ticket !== ticket) return;
      this.take(requestId);
      done(go);
    });
  }

  /** Takes a request out (its wait is aborted); undefined when it is not waiting. */
  take(requestId: string): Ticket | undefined {
    const entry = this.#waiting.get(requestId);
    if (!entry) return undefined;
    this.#waiting.delete(requestId);
    entry.abort.abort();
    if (this.#waiting.size === 0) this.#onEmpty();
    return entry.ticket;
  }

  /** Takes every waiting request out. */
  takeAll(): Ticket[] {
    return [...this.#waiting.keys()].map((id) => this.take(id)!);
  }
}
