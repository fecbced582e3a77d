import type { ClaudeSessionStatus } from '../session/types.js';
import type { CrashAnalysis } from '../session/crash.js';
import type { CrashContext } from './finding.js';
import { CRASH_TYPE, adviceFor } from './advice.js';
import { fromCli, fromOutcome } from './cli-evidence.js';
import { fallback, fromSignal, fromSupervisor, fromText } from './process-evidence.js';

/**
 * True when the session ended in a way recovery should handle: `crashed`, `timeout`, or `failed`
 * (spawn errors included) unless a budget stopped it (`budget:tokens`, `budget:cost`, the latter also when
 * the CLI's own `--max-budget-usd` ended it): a budget stop is never retried. `completed` and `terminated`
 * (stopped on request) are not crashes, nor is a session that has not ended.
 */
export function isCrash(status: ClaudeSessionStatus): boolean {
  if (status.state === 'crashed' || status.state === 'timeout') return true;
  return status.state === 'failed' && !(status.outcome?.reason ?? '').startsWith('budget:');
}

/**
 * Explains how a session ended. Evidence is read strongest first:
 * 1. the exit signal (SIGSEGV/SIGBUS/SIGILL → segfault; SIGKILL or exit 137 not sent by the supervisor → killed);
 * 2. the CLI's result fields in `status.evidence` (subtype, API status, assistant error, terminal reason);
 * 3. the supervisor's own stop (`timeout:*`, `budget:*`, from `context.stopReason` or `outcome.reason`);
 * 4. the spawner's outcome class (`api_error:*`, `result_error:*`) when the raw fields are missing;
 * 5. text in stderr, stdout and the outcome message (out of memory, EACCES, ECONNREFUSED, ...);
 * 6. the exit code alone (`exit`), else `unknown`.
 * A supervisor stop makes SIGTERM/SIGKILL its own doing, so those signals then do not count as crashes.
 */
export function analyzeCrash(status: ClaudeSessionStatus, context: CrashContext = {}): CrashAnalysis {
  const finding =
    fromSignal(status, context) ??
    fromCli(status) ??
    fromSupervisor(status, context) ??
    fromOutcome(status) ??
    fromText(status) ??
    fallback(status);
  const { crashClass, confidence, rootCause, evidence } = finding;
  return { crashType: CRASH_TYPE[crashClass], crashClass, confidence, rootCause, ...adviceFor(crashClass, finding.facts), evidence };
}
