import type { RecoveryStatistics } from './types.js';

/** Counters behind `getRecoveryStats`. */
export class RecoveryStats {
  crashes = 0;
  attempts = 0;
  failed = 0;
  abandoned = 0;
  #succeeded = 0;
  #attemptsOfSuccesses = 0;

  succeeded(attempts: number): void {
    this.#succeeded += 1;
    this.#attemptsOfSuccesses += attempts;
  }

  snapshot(active: number): RecoveryStatistics {
    const finished = this.#succeeded + this.failed + this.abandoned;
    return {
      totalCrashes: this.crashes,
      totalRecoveryAttempts: this.attempts,
      successfulRecoveries: this.#succeeded,
      failedRecoveries: this.failed,
      abandonedRecoveries: this.abandoned,
      recoveryRate: finished > 0 ? this.#succeeded / finished : 0,
      avgAttemptsPerRecovery: this.#succeeded > 0 ? this.#attemptsOfSuccesses / this.#succeeded : 0,
      activeRecoveries: active,
    };
  }
}
