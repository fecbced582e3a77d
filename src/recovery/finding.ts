import type { CrashClass } from '../session/crash.js';

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
