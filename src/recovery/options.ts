import { z } from 'zod';
import { ErrorCodes } from '../session/errors.js';
import { validate } from '../utils/validate.js';
import type { RecoveryStrategy } from './backoff.js';
import { DEFAULT_RATE_LIMIT_WAIT_MS } from './policy.js';
import type { RecoveryOptions } from './types.js';

export interface FilledRecoveryOptions {
  enabled: boolean;
  maxRetries: number;
  retryDelay: number;
  backoffMultiplier: number;
  maxRetryDelay: number;
  jitter: number;
  strategy: RecoveryStrategy;
  saveCrashDumps: boolean;
  crashDumpDirectory: string;
  maxCrashDumps: number;
  crashDumpMaxAgeMs: number;
  onRateLimit: ((untilMs: number) => void) | undefined;
  rateLimitWaitMs: number;
  random: () => number;
}

const ms = z.number().int().nonnegative();
const schema = z.object({
  enabled: z.boolean().optional(),
  maxRetries: z.number().int().nonnegative().max(100).optional(),
  retryDelay: ms.optional(),
  backoffMultiplier: z.number().min(1).max(100).optional(),
  maxRetryDelay: ms.optional(),
  jitter: z.number().min(0).max(1).optional(),
  strategy: z.enum(['immediate', 'delayed', 'manual']).optional(),
  saveCrashDumps: z.boolean().optional(),
  crashDumpDirectory: z.string().min(1).optional(),
  maxCrashDumps: z.number().int().positive().optional(),
  crashDumpMaxAgeMs: z.number().int().positive().optional(),
  onRateLimit: z.function().optional(),
  rateLimitWaitMs: ms.optional(),
  random: z.function().optional(),
});

/** Validates recovery options (`ConfigError`, `ERR_INVALID_OPTION`) and fills the defaults. */
export function normalizeRecoveryOptions(options: RecoveryOptions): FilledRecoveryOptions {
  validate(schema, options, ErrorCodes.INVALID_OPTION);
  return {
    enabled: options.enabled ?? true,
    maxRetries: options.maxRetries ?? 3,
    retryDelay: options.retryDelay ?? 5000,
    backoffMultiplier: options.backoffMultiplier ?? 2,
    maxRetryDelay: options.maxRetryDelay ?? 300_000,
    jitter: options.jitter ?? 0.2,
    strategy: options.strategy ?? 'delayed',
    saveCrashDumps: options.saveCrashDumps ?? true,
    crashDumpDirectory: options.crashDumpDirectory ?? '.vp-daemon/crash-dumps',
    maxCrashDumps: options.maxCrashDumps ?? 200,
    crashDumpMaxAgeMs: options.crashDumpMaxAgeMs ?? 7 * 24 * 3600 * 1000,
    onRateLimit: options.onRateLimit,
    rateLimitWaitMs: options.rateLimitWaitMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
    random: options.random ?? Math.random,
  };
}
