/** Where a stored request is in its life. `completed`, `failed` and `cancelled` are final. */
export type RequestState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A request for work as the daemon keeps it across restarts. */
export interface StoredRequest {
  requestId: string;
  priority: string;
  /** The TriageRequest as JSON (see `toJson`): RegExp values are `'/source/flags'` strings, Dates ISO strings. */
  triage: unknown;
  state: RequestState;
  /** The session that runs (or last ran) the request. */
  sessionId?: string;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  error?: string;
}

/** One Claude Code session the daemon started. */
export interface StoredSession {
  sessionId: string;
  requestId?: string;
  claudeSessionId: string;
  pid?: number;
  workingDirectory: string;
  /** A SessionState; `running` until the session is recorded as ended. */
  state: string;
  /** `SessionOutcome.reason`, e.g. `completed`, `timeout:wall`, `signal:SIGSEGV`. */
  outcome?: string;
  startedAt: Date;
  /** Unset while the session has not been recorded as ended. */
  endedAt?: Date;
  /** The final ClaudeSessionStatus as JSON (Dates as ISO strings). */
  status?: unknown;
  /** The session's figures for lists, as the daemon recorded them (JSON). */
  summary?: unknown;
}

/** A crash of a session, as the recovery manager classified it. */
export interface StoredCrash {
  id: number;
  sessionId: string;
  crashClass: string;
  crashType: string;
  analysis: unknown;
  dumpPath?: string;
  at: Date;
}

/** A tool call that waits (or waited) for a person's decision. */
export interface StoredApproval {
  approvalId: string;
  sessionId: string;
  toolName: string;
  input: unknown;
  reason: string;
  state: 'pending' | 'approved' | 'denied';
  requestedAt: Date;
  resolvedAt?: Date;
  resolution?: string;
}
