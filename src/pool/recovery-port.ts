import type { ClaudeSessionStatus } from '../session/types.js';
import { linkedRecovery, type ChainEnd, type PoolRecovery, type RetryPlan } from './recovery-link.js';
import type { Ticket } from './ticket.js';

export type Retry = RetryPlan & { retry: true };

/**
 * The pool's side of recovery: finds the recovery (attached, or linked through the spawner, looked up at each
 * use so either may be created first), keeps each ticket's chain, and shields the pool from a recovery that throws.
 */
export class RecoveryPort {
  attached: PoolRecovery | undefined;
  readonly #spawner: object;
  readonly #warn: (what: string, error: unknown) => void;

  constructor(spawner: object, warn: (what: string, error: unknown) => void) {
    this.#spawner = spawner;
    this.#warn = warn;
  }

  get #recovery(): PoolRecovery | undefined {
    return this.attached ?? linkedRecovery(this.#spawner);
  }

  /** How to go on after the ticket's session ended without completing; undefined without a recovery or a crash. */
  plan(ticket: Ticket, status: ClaudeSessionStatus, allowRetry: boolean): RetryPlan | undefined {
    const recovery = this.#recovery;
    if (!recovery) return undefined;
    try {
      const planned = recovery.planRetry(status, ticket.chain, allowRetry);
      if (planned) ticket.chain = planned.chain;
      return planned?.plan;
    } catch (error) {
      this.#warn('A recovery failed to plan a retry', error);
      return undefined;
    }
  }

  /** Waits before the ticket's retry; false when aborted or abandoned. */
  wait(ticket: Ticket, plan: Retry, signal: AbortSignal): Promise<boolean> {
    const recovery = this.#recovery;
    if (!recovery || !ticket.chain) return Promise.resolve(!signal.aborted);
    return recovery.waitForRetry(ticket.chain, plan, signal).catch((error: unknown) => {
      this.#warn('A recovery failed while waiting for a retry', error);
      return false;
    });
  }

  queued(ticket: Ticket, plan: Retry): void {
    this.#call(ticket, (r, chain) => r.attemptQueued(chain, plan));
  }

  started(ticket: Ticket, sessionId: string): void {
    if (ticket.chain) this.#call(ticket, (r, chain) => r.attemptStarted(chain, sessionId));
  }

  /** Ends the ticket's chain, if it has one (once). */
  end(ticket: Ticket, end: ChainEnd): void {
    if (!ticket.chain) return;
    this.#call(ticket, (r, chain) => r.chainEnded(chain, end));
    ticket.chain = undefined;
  }

  #call(ticket: Ticket, call: (recovery: PoolRecovery, chain: NonNullable<Ticket['chain']>) => void): void {
    const recovery = this.#recovery;
    if (!recovery || !ticket.chain) return;
    try {
      call(recovery, ticket.chain);
    } catch (error) {
      this.#warn('A recovery callback threw', error);
    }
  }
}
