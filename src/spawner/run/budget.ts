import type { MetricsAccumulator } from '../metrics.js';
import type { StopReason } from '../outcome.js';
import type { SpawnerEvents } from '../types.js';

/** The limits a session's budget watch enforces, and what it acts on. */
export interface BudgetInit {
  sessionId: string;
  metrics: MetricsAccumulator;
  /** Token budget (`charter.resources.maxTokens`). */
  maxTokens: number;
  /** Cost budget in USD; none when undefined. */
  maxCostUsd?: number;
  emit: <K extends keyof SpawnerEvents>(event: K, ...payload: SpawnerEvents[K]) => void;
  /** True once every message was answered: a finished session is not stopped. */
  answered: () => boolean;
  stop: (reason: StopReason) => void;
  /** Called once, when the tokens or the cost first reach their budget. */
  onOver?: () => void;
}

/** Warns at 80 % of the token and cost budgets and stops the session at 100 %. */
export class BudgetWatch {
  readonly #init: BudgetInit;
  #tokensWarned = false;
  #costWarned = false;
  #overSeen = false;

  constructor(init: BudgetInit) {
    this.#init = init;
  }

  /** True once the tokens or the cost used, including the running turn, reach their budget. */
  get over(): boolean {
    const { metrics, maxTokens, maxCostUsd } = this.#init;
    return metrics.liveTokens >= maxTokens || (maxCostUsd !== undefined && metrics.liveCostUsd >= maxCostUsd);
  }

  // Live accounting, O(1) per message: input tokens count from a call's `message_start`, output tokens from
  // its `message_delta`, so the model call that crosses a budget is the last one the session gets.
  // `cliStopped`: the CLI's own `--max-budget-usd` ended the turn (the backstop of `maxCostUsd`).
  check(cliStopped = false): void {
    const { metrics, maxTokens, maxCostUsd } = this.#init;
    const used = metrics.liveTokens;
    const cost = metrics.liveCostUsd;
    // Below 80 % of both budgets, the case of nearly every message, there is nothing to do.
    if (!cliStopped && used < 0.8 * maxTokens && (maxCostUsd === undefined || cost < 0.8 * maxCostUsd)) return;
    if (!this.#tokensWarned && used >= 0.8 * maxTokens) {
      this.#tokensWarned = true;
      this.#warn('tokens', used, cost);
    }
    if (maxCostUsd !== undefined && !this.#costWarned && cost >= 0.8 * maxCostUsd) {
      this.#costWarned = true;
      this.#warn('cost', used, cost);
    }
    if (!this.#overSeen && this.over) {
      this.#overSeen = true;
      this.#init.onOver?.();
    }
    if (this.#init.answered()) return;
    if (used >= maxTokens) this.#init.stop('budget:tokens');
    else if (cliStopped || (maxCostUsd !== undefined && cost >= maxCostUsd)) this.#init.stop('budget:cost');
  }

  #warn(kind: 'tokens' | 'cost', usedTokens: number, usedCostUsd: number): void {
    const { sessionId, maxTokens, maxCostUsd } = this.#init;
    this.#init.emit('budget-warning', { sessionId, kind, usedTokens, maxTokens, usedCostUsd, maxCostUsd });
  }
}
