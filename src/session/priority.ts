import type { SessionPriority } from './types.js';

/** Every priority, highest first. */
export const PRIORITIES: readonly SessionPriority[] = ['critical', 'high', 'medium', 'low'];

/** Weight of each priority in the pool's queue; higher runs first. */
export const DEFAULT_PRIORITY_WEIGHTS: Readonly<Record<SessionPriority, number>> = Object.freeze({
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
});

/** Whether a value is one of {@link PRIORITIES}. */
export const isPriority = (value: unknown): value is SessionPriority => (PRIORITIES as readonly unknown[]).includes(value);
