import type { ClaudeSessionStatus } from '../session/types.js';
import { isCrash } from './classify.js';
import { type CrashAnalysis, type CrashClass } from '../session/crash.js';

/** What to do after a crash. */
export interface RecoveryDecision {
  /** `retry`: start again (after the usual backoff); `wait`: retry no earlier than `waitUntilMs`; `never`: give up. */
  action: 'retry' | 'wait' | 'never';
  /** Whether the next attempt should `--resume` the same Claude conversation. */
  resume: boolean;
  /** Epoch ms before which a `wait` must not retry. Set only for `wait`. */
  waitUntilMs?: number;
  reason: string;
}

/** Wait used for a rate limit when the CLI reported neither a reset time nor a retry delay. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

const NEVER: Partial<Record<CrashClass, string>> = {
  auth: 'the credentials were refused; retrying cannot help until they are fixed',
  billing: 'the account cannot be billed; retrying cannot help until billing is fixed',
  permission: 'access was denied; retrying cannot help until access is fixed',
  budget: 'the session hit its token or cost budget; a budget stop is never retried',
  max_turns: 'the task hit its own turn limit; retrying would repeat it',
  invalid_request: 'the API rejected the request as invalid; retrying would repeat it',
};

/** Classes whose conversation cannot be continued: the next attempt starts a new one. */
const FRESH: Partial<Record<CrashClass, string>> = {
  context_overflow: 'the conversation no longer fits the context window; retry in a new conversation',
  resume_missing: 'the transcript to resume is gone; retry in a new conversation',
};

/**
 * Decides whether and how to recover from a crash. Pure: `nowMs` is the current time.
 *
 * - `never` for sessions that did not crash ({@link isCrash} false) and for auth, billing, permission,
 *   budget, max_turns and invalid_request.
 * - `wait` for rate_limited, until `evidence.rateLimitResetsAtMs` if it is in the future, else
 *   `nowMs + evidence.lastApiRetry.retryDelayMs`, else `nowMs + defaultWaitMs` (60 s unless given).
 * - `retry` for everything else; context_overflow and resume_missing always start a new conversation.
 *
 * `resume` is true when the process had reported `system/init` (its conversation exists and can continue).
 */
export function recoveryPolicy(analysis: CrashAnalysis, status: ClaudeSessionStatus, nowMs: number, defaultWaitMs = DEFAULT_RATE_LIMIT_WAIT_MS): RecoveryDecision {
  const initialized = status.evidence?.initialized === true;
  const { crashClass } = analysis;
  if (!isCrash(status)) {
    const why = status.state === 'failed' ? `a policy stop (${status.outcome?.reason ?? 'budget'})` : `state ${status.state}`;
    return { action: 'never', resume: false, reason: `not a crash: ${why}` };
  }
  const never = NEVER[crashClass];
  if (never !== undefined) return { action: 'never', resume: initialized, reason: `${crashClass}: ${never}` };
  const fresh = FRESH[crashClass];
  if (fresh !== undefined) return { action: 'retry', resume: false, reason: `${crashClass}: ${fresh}` };
  if (crashClass === 'rate_limited') {
    const { waitUntilMs, source } = rateLimitWait(status, nowMs, defaultWaitMs);
    const reason = `rate_limited: wait until ${new Date(waitUntilMs).toISOString()} (${source})`;
    return { action: 'wait', resume: initialized, waitUntilMs, reason };
  }
  const how = initialized ? 'resuming the conversation' : 'in a new conversation (the process never initialized)';
  return { action: 'retry', resume: initialized, reason: `${crashClass}: retry ${how}` };
}

function rateLimitWait(status: ClaudeSessionStatus, nowMs: number, defaultWaitMs: number): { waitUntilMs: number; source: string } {
  const resetsAt = status.evidence?.rateLimitResetsAtMs;
  if (resetsAt !== undefined && Number.isFinite(resetsAt) && resetsAt > nowMs) {
    return { waitUntilMs: resetsAt, source: 'the reported rate-limit reset' };
  }
  const delay = status.evidence?.lastApiRetry?.retryDelayMs;
  if (delay !== undefined && Number.isFinite(delay) && delay >= 0) {
    return { waitUntilMs: nowMs + Math.ceil(delay), source: "the CLI's last retry delay" };
  }
  return { waitUntilMs: nowMs + defaultWaitMs, source: `the default wait (${defaultWaitMs} ms)` };
}
