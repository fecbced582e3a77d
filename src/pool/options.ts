import { z } from 'zod';
import { DEFAULT_PRIORITY_WEIGHTS } from '../session/priority.js';
import { DEFAULT_AGING_INTERVAL_MS } from './scheduler.js';
import { ErrorCodes } from '../session/errors.js';
import type { ClaudeSessionConfig, SessionPriority } from '../session/types.js';
import { validate } from '../utils/validate.js';
import type { PoolOptions } from './types.js';

export interface FilledPoolOptions {
  maxConcurrentSessions: number;
  minIdleSessions: number;
  defaultSessionTimeout: number;
  maxQueueSize: number;
  autoRecovery: boolean;
  priorityWeights: Readonly<Record<SessionPriority, number>>;
  agingIntervalMs: number;
  warmTemplate: ClaudeSessionConfig | undefined;
  assumedSessionMs: number;
}

const count = z.number().int().nonnegative();
const weight = z.number().finite().nonnegative();
const schema = z.object({
  maxConcurrentSessions: z.number().int().positive().optional(),
  minIdleSessions: count.optional(),
  defaultSessionTimeout: count.optional(),
  maxQueueSize: count.optional(),
  autoRecovery: z.boolean().optional(),
  priorityWeights: z.object({ critical: weight, high: weight, medium: weight, low: weight }).optional(),
  agingIntervalMs: count.optional(),
  warmTemplate: z.object({ workingDirectory: z.string() }).loose().optional(),
  assumedSessionMs: z.number().int().positive().optional(),
});

/** How long `drain()` (and so a daemon's stop) lets running sessions finish before stopping them, in ms. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

/** Validates pool options (typed `ConfigError`, code `ERR_INVALID_OPTION`) and fills defaults. */
export function normalizePoolOptions(options: PoolOptions = {}): FilledPoolOptions {
  validate(schema, options, ErrorCodes.INVALID_OPTION);
  return {
    maxConcurrentSessions: options.maxConcurrentSessions ?? 5,
    minIdleSessions: options.minIdleSessions ?? 0,
    defaultSessionTimeout: options.defaultSessionTimeout ?? 1_800_000,
    maxQueueSize: options.maxQueueSize ?? 1000,
    autoRecovery: options.autoRecovery ?? false,
    priorityWeights: options.priorityWeights ?? DEFAULT_PRIORITY_WEIGHTS,
    agingIntervalMs: options.agingIntervalMs ?? DEFAULT_AGING_INTERVAL_MS,
    warmTemplate: options.warmTemplate,
    assumedSessionMs: options.assumedSessionMs ?? 300_000,
  };
}
