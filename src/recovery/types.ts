import type { ClaudeSessionConfig, ClaudeSessionStatus, SessionCrashReport, SpawnResult } from '../session/types.js';
import type { SpawnerEvents } from '../spawner/types.js';
import type { RecoveryStrategy } from './backoff.js';
import type { CrashAnalysis } from '../session/crash.js';

/** What recovery needs of a spawner. `ClaudeSessionSpawner` is one. */
export interface RecoverySpawner {
  spawnSession(config: ClaudeSessionConfig): Promise<SpawnResult>;
  getSessionConfig(sessionId: string): ClaudeSessionConfig | undefined;
  on(event: 'session-ended', listener: (...args: SpawnerEvents['session-ended']) => void): unknown;
  off(event: 'session-ended', listener: (...args: SpawnerEvents['session-ended']) => void): unknown;
}

/** Options of {@link SessionRecoveryManager}. */
export interface RecoveryOptions {
  /** Recover crashed sessions at all. @default true */
  readonly enabled?: boolean;
  /** Attempts per crash chain. @default 3 */
  readonly maxRetries?: number;
  /** First delay of the `delayed` strategy, in ms. @default 5000 */
  readonly retryDelay?: number;
  /** Each further attempt waits this many times longer. @default 2 */
  readonly backoffMultiplier?: number;
  /** Longest delay between attempts, in ms. @default 300_000 */
  readonly maxRetryDelay?: number;
  /** Random spread of each delay, as a fraction (0.2 = ±20 %). @default 0.2 */
  readonly jitter?: number;
  /** `immediate` retries at once, `delayed` backs off, `manual` waits for `triggerManualRecovery`. @default 'delayed' */
  readonly strategy?: RecoveryStrategy;
  /** Write one JSON dump per crash. @default true */
  readonly saveCrashDumps?: boolean;
  /** Folder of the dumps, resolved to an absolute path once. @default '.vp-daemon/crash-dumps' */
  readonly crashDumpDirectory?: string;
  /** Dumps kept at most (oldest removed first). @default 200 */
  readonly maxCrashDumps?: number;
  /** Dumps older than this are removed, in ms. @default 7 days */
  readonly crashDumpMaxAgeMs?: number;
  /** Called when a rate limit asks everyone to wait until `untilMs` (a pool pauses its admissions). */
  readonly onRateLimit?: (untilMs: number) => void;
  /** How long a rate limit is waited out when the CLI reported neither its reset nor a retry delay. @default 60000 */
  readonly rateLimitWaitMs?: number;
  /** Source of randomness for jitter (tests pass a fixed one). */
  readonly random?: () => number;
}

/** One try of a crash chain. */
export interface RecoveryAttempt {
  attemptNumber: number;
  startedAt: Date;
  delayMs: number;
  resumed: boolean;
  /** The session the attempt spawned, if it got that far. */
  newSessionId?: string;
  state?: string;
  outcome?: string;
  error?: string;
}

/** The spec's recovery statistics. */
export interface RecoveryStatistics {
  totalCrashes: number;
  totalRecoveryAttempts: number;
  successfulRecoveries: number;
  failedRecoveries: number;
  abandonedRecoveries: number;
  /** successful / finished chains, 0..1. */
  recoveryRate: number;
  /** Mean attempts of the successful chains. */
  avgAttemptsPerRecovery: number;
  activeRecoveries: number;
}

/** Events of {@link SessionRecoveryManager}. `sessionId` is always the session that crashed first. */
export interface RecoveryEvents {
  'crash-detected': [{ sessionId: string; crashReport: SessionCrashReport }];
  /** `crashedSessionId`: the session this analysis is about (the first one, or a later attempt of the chain). */
  'crash-analyzed': [{ sessionId: string; analysis: CrashAnalysis; crashedSessionId: string }];
  'crash-dump-saved': [{ sessionId: string; filepath: string; crashedSessionId: string }];
  'recovery-attempt': [{ sessionId: string; attemptNumber: number; analysis: CrashAnalysis; delayMs: number; resume: boolean }];
  'recovery-attempt-failed': [{ sessionId: string; attemptNumber: number; reason: string; newSessionId?: string }];
  'recovery-succeeded': [{ sessionId: string; attemptNumber: number; newSessionId: string; status: ClaudeSessionStatus }];
  'recovery-failed': [{ sessionId: string; reason: string; attempts: RecoveryAttempt[] }];
  'recovery-abandoned': [{ sessionId: string; attempts: RecoveryAttempt[] }];
}
