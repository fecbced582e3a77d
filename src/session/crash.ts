// How a crash is explained: shared by recovery, the store and the daemon.

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
