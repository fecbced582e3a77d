import type { RetryChain } from '../pool/recovery-link.js';
import type { CrashAnalysis } from '../session/crash.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';
import type { Deferred } from '../utils/deferred.js';
import type { RecoveryAttempt } from './types.js';

/** A crash and the attempts that follow it. `id` is the session that crashed first. */
export interface Chain extends RetryChain {
  /** The config of the crashed session; attempts start from it. */
  config: ClaudeSessionConfig | undefined;
  attempts: RecoveryAttempt[];
  analysis: CrashAnalysis;
  abort: AbortController;
  /** Resolved by `triggerManualRecovery` while a `manual` chain waits. */
  trigger?: Deferred<void>;
}

class Abandoned extends Error {}

/** Waits `delayMs` (undefined: until the chain's trigger); false when a signal aborts first. On the global timer, so fake timers drive it. */
export async function waitBeforeAttempt(delayMs: number | undefined, signals: AbortSignal[], trigger: () => Deferred<void>): Promise<boolean> {
  if (signals.some((s) => s.aborted)) return false;
  const cleanups: (() => void)[] = [];
  const aborted = new Promise<never>((_, fail) => {
    for (const signal of signals) {
      const onAbort = (): void => fail(new Abandoned());
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
  });
  aborted.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const waited = delayMs === undefined ? trigger().promise : new Promise<void>((done) => (timer = setTimeout(done, delayMs)));
  try {
    await Promise.race([waited, aborted]);
    return true;
  } catch (error) {
    if (error instanceof Abandoned) return false;
    throw error;
  } finally {
    clearTimeout(timer);
    for (const cleanup of cleanups) cleanup();
  }
}

/** The reason an attempt's session did not complete, for `recovery-attempt-failed`. */
export const attemptFailure = (status: ClaudeSessionStatus): string => `${status.state} (${status.outcome?.reason ?? 'no outcome'})`;
