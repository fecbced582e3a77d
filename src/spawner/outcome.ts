import { apiErrorKind } from '../session/api-errors.js';
import { signalName } from '../session/signals.js';
import type { ResultMessage } from './stream/messages.js';
import type { SessionOutcome, SessionState } from '../session/types.js';

/** Why the supervisor itself stopped a session. Set once, by whichever path fires first. */
export type StopReason = 'timeout:wall' | 'timeout:startup' | 'timeout:idle' | 'terminated' | 'guard:bypassed' | `budget:${string}`;

/** The facts a session ended with. */
export interface EndFacts {
  exitCode: number | null;
  signal: string | null;
  stopReason?: StopReason;
  result?: ResultMessage;
  /** The `error` field of the last CLI-made assistant message. */
  assistantError?: string;
  spawnError?: string;
}

/** Maps an API failure reported by the CLI to a class, from its status and error fields. */
export function classifyApiError(result: ResultMessage, assistantError?: string): string {
  const fields = {
    status: result.api_error_status,
    error: assistantError,
    apiError: result.api_error,
    errorType: result.api_error_type,
    terminalReason: result.terminal_reason,
  };
  return apiErrorKind(fields) ?? 'unknown';
}

const RESULT_SUBTYPES: Record<string, string> = {
  error_max_turns: 'result_error:max_turns',
  // The CLI's own `--max-budget-usd` is the backstop of `maxCostUsd`: the same stop as the live one.
  error_max_budget_usd: 'budget:cost',
  error_during_execution: 'result_error:execution',
  error_max_structured_output_retries: 'result_error:structured_output',
};

/**
 * Decides the final state and outcome from facts, strongest first: the supervisor's own
 * decision, a spawn error, the CLI's `result`, then the exit signal or code.
 */
export function decideOutcome(facts: EndFacts): { state: SessionState; outcome: SessionOutcome } {
  const { stopReason, result } = facts;
  if (stopReason !== undefined) {
    if (stopReason.startsWith('timeout:')) return { state: 'timeout', outcome: { reason: stopReason } };
    if (stopReason === 'terminated') return { state: 'terminated', outcome: { reason: 'terminated' } };
    return { state: 'failed', outcome: { reason: stopReason } };
  }
  if (facts.spawnError !== undefined) return { state: 'failed', outcome: { reason: 'spawn_error', message: facts.spawnError } };
  if (result !== undefined) {
    const message = result.result ?? result.errors?.join('; ');
    const subtypeReason = RESULT_SUBTYPES[result.subtype];
    if (subtypeReason !== undefined) return { state: 'failed', outcome: { reason: subtypeReason, message } };
    if (result.is_error) {
      return { state: 'failed', outcome: { reason: `api_error:${classifyApiError(result, facts.assistantError)}`, message } };
    }
    return { state: 'completed', outcome: { reason: 'completed', message } };
  }
  const signal = facts.signal ?? signalFromExitCode(facts.exitCode);
  if (signal !== undefined) return { state: 'crashed', outcome: { reason: `signal:${signal}` } };
  return { state: 'crashed', outcome: { reason: `exit:${facts.exitCode ?? 'unknown'}`, message: 'The CLI exited without a result' } };
}

/** A shell-style exit code 128+n means the process ended on signal n (the CLI exits 143 on SIGTERM). */
export function signalFromExitCode(code: number | null): string | undefined {
  if (code === null || code <= 128 || code >= 128 + 65) return undefined;
  return signalName(code - 128);
}
