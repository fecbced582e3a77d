import type { ClaudeSessionStatus } from '../spawner/types.js';
import { CRASH_TYPE, adviceFor } from './advice.js';
import { fromCli, fromOutcome } from './cli-evidence.js';
import { fallback, fromSignal, fromSupervisor, fromText } from './process-evidence.js';

/** The six crash types of the spec. */
export type CrashType = 'oom' | 'timeout' | 'segfault' | 'network' | 'permission' | 'unknown';

/** The finer class a crash type is derived from; drives the recovery policy. */
export type CrashClass =
  | 'segfault'
  | 'oom'
  | 'killed'
  | 'signal'
  | 'exit'
  | 'timeout_wall'
  | 'timeout_startup'
  | 'timeout_idle'
  | 'network'
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'auth'
  | 'billing'
  | 'permission'
  | 'budget'
  | 'max_turns'
  | 'context_overflow'
  | 'invalid_request'
  | 'resume_missing'
  | 'execution_error'
  | 'unknown';

/** Why a session crashed, how sure that is, and what to do about it. */
export interface CrashAnalysis {
  crashType: CrashType;
  crashClass: CrashClass;
  /** 0..1: structured CLI fields 0.9–0.95, supervisor timers 0.95, SIGSEGV 0.95, text 0.5–0.7, bare exit code 0.4. */
  confidence: number;
  /** The cause, naming the evidence. */
  rootCause: string;
  recommendation: string;
  suggestedFixes: string[];
  /** The facts used, strongest first, e.g. `signal=SIGSEGV`, `api_error_status=429`, `stderr: <line>`. */
  evidence: string[];
}

/** What the supervisor knows beyond the status: its own reason for stopping the process, if any. */
export interface CrashContext {
  stopReason?: string;
}

/** One detector's conclusion. */
export interface Finding {
  crashClass: CrashClass;
  confidence: number;
  rootCause: string;
  /** Short evidence for the recommendation, e.g. `HTTP 429 rate_limit`. */
  facts: string;
  evidence: string[];
}

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
