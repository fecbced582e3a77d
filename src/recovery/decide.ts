import type { RetryPlan } from '../pool/recovery-link.js';
import type { CrashAnalysis } from '../session/crash.js';
import type { ClaudeSessionStatus } from '../session/types.js';
import { strategyDelayMs } from './backoff.js';
import type { FilledRecoveryOptions } from './options.js';
import { recoveryPolicy } from './policy.js';

/** What a retry decision needs besides the crash: the chain so far and the options. */
export interface RetryInput {
  analysis: CrashAnalysis;
  /** How the last session ended. */
  status: ClaudeSessionStatus;
  /** Retries made so far in this chain (0 after the first crash). */
  attemptsMade: number;
  options: Pick<FilledRecoveryOptions, 'maxRetries' | 'strategy' | 'retryDelay' | 'backoffMultiplier' | 'maxRetryDelay' | 'jitter' | 'random'> & Partial<Pick<FilledRecoveryOptions, 'rateLimitWaitMs'>>;
  nowMs: number;
}

/**
 * Whether and how to retry after a crash (pure): the recovery policy (never / retry / wait for a rate limit),
 * the `maxRetries` limit, then the strategy's backoff. A rate limit's wait is the lower bound of the delay
 * and pauses the pool's admissions until it is over.
 */
export function decideRetry(input: RetryInput): RetryPlan {
  const { analysis, status, attemptsMade, options, nowMs } = input;
  const decision = recoveryPolicy(analysis, status, nowMs, options.rateLimitWaitMs);
  if (decision.action === 'never') return { retry: false, reason: decision.reason };
  if (attemptsMade >= options.maxRetries) return { retry: false, reason: `gave up after ${options.maxRetries} attempts` };
  const attemptNumber = attemptsMade + 1;
  const backoff = { retryDelayMs: options.retryDelay, backoffMultiplier: options.backoffMultiplier, maxDelayMs: options.maxRetryDelay, jitter: options.jitter };
  let delayMs = strategyDelayMs(options.strategy, attemptNumber, backoff, options.random);
  const waitUntilMs = decision.action === 'wait' ? decision.waitUntilMs : undefined;
  if (waitUntilMs !== undefined && delayMs !== undefined) delayMs = Math.max(delayMs, waitUntilMs - nowMs);
  const resumeClaudeSessionId = decision.resume && status.claudeSessionId !== '' ? status.claudeSessionId : undefined;
  return { retry: true, attemptNumber, delayMs, resumeClaudeSessionId, pauseAdmissionsUntilMs: waitUntilMs };
}
