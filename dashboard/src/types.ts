// The shapes the daemon's HTTP API answers with. Every optional field may be missing; views guard them.

// A row of the sessions list, exactly as the daemon makes it (a type only: nothing of the daemon is bundled).
import type { SessionRow } from '../../src/daemon/session-rows.js';

export type { SessionRow };

export interface SessionPage {
  total: number;
  rows: SessionRow[];
}

export interface QueuedRequest {
  requestId: string;
  priority?: number | string;
  queuedAt?: string;
  position?: number;
  waitedMs?: number;
  estimatedWaitTime?: number;
}

export interface ActiveSession {
  requestId?: string;
  sessionId: string;
  priority?: number | string;
  startedAt?: string;
}

export interface PoolStatus {
  capacity: number;
  activeCount: number;
  idleCount?: number;
  queuedCount: number;
  retryingCount?: number;
  utilization?: number;
  draining?: boolean;
  pausedUntil?: string | number;
  activeSessions?: ActiveSession[];
  queuedRequests?: QueuedRequest[];
}

export interface RecoveryStatus {
  totalCrashes?: number;
  totalRecoveryAttempts?: number;
  successfulRecoveries?: number;
  failedRecoveries?: number;
  abandonedRecoveries?: number;
  recoveryRate?: number;
  activeRecoveries?: number;
}

export interface DaemonStatus {
  pid?: number;
  stateDir?: string;
  startedAt?: string;
  pool?: PoolStatus;
  sessions?: { totalCostUsd?: number; [k: string]: unknown };
  recovery?: RecoveryStatus;
  /** Present when the daemon is a node of a fleet on Redis. */
  fleet?: ClusterStatus;
}

/** The fleet (Redis) as the daemon's node sees it. */
export interface ClusterStatus {
  name: string;
  node: string;
  pausedUntil?: number;
  jobs: Record<string, number>;
  nodes: { id: string; host: string; running: number; maxSessions: number; paused: boolean; lost: boolean; heartbeatAt: number }[];
}

/** A request of the fleet, with the node that runs (or ran) it. */
export interface ClusterRequest {
  requestId: string;
  state: string;
  node?: string;
  attempts: number;
  sessionId?: string;
  branch?: string;
  updatedAt?: number;
}

export interface Approval {
  approvalId: string;
  sessionId: string;
  toolName: string;
  input?: { command?: string; file_path?: string; [k: string]: unknown };
  reason?: string;
  requestedAt: string;
}

export interface Workspace {
  branch?: string;
  path?: string;
  commits?: number;
  filesChanged?: string[];
  insertions?: number;
  deletions?: number;
  kept?: boolean;
}

export interface CrashAnalysis {
  at: string;
  crashClass: string;
  crashType: string;
  rootCause?: string;
}

export interface Attempt {
  sessionId: string;
  state: string;
  outcome?: string;
  startedAt: string;
}

export interface SessionView {
  row: SessionRow;
  charter?: string;
  resultText?: string;
  errorMessage?: string;
  outcome?: { reason: string; [k: string]: unknown };
  workspace?: Workspace;
  crashes?: CrashAnalysis[];
  attempts?: Attempt[];
}

export interface FleetPoint {
  t: number;
  tokens: number;
  costUsd: number;
}

export interface Fleet {
  byState?: Record<string, number>;
  series?: FleetPoint[];
  crashClasses?: Record<string, number>;
  recoveries?: { attempted?: number; succeeded?: number; failed?: number };
}
