// The domain types every part of the package shares. This module imports nothing of the project.

/** Task priority, highest first: critical > high > medium > low. */
export type SessionPriority = 'critical' | 'high' | 'medium' | 'low';

/** Who the session acts as. */
export interface VPIdentity {
  name: string;
  email: string;
  role: string;
}

/** The rules a session works under: identity, goals, constraints and resources. */
export interface VPCharter {
  identity: VPIdentity;
  objectives: string[];
  constraints: {
    /** Commands the session must not run, e.g. `rm -rf`, `git push --force`. */
    forbiddenCommands: string[];
    forbiddenPatterns: RegExp[];
    /** Actions that need a person's approval, e.g. `deploy`, `npm publish`. */
    requiredApprovals: string[];
  };
  resources: {
    /** Token budget: the session is stopped (`budget:tokens`) within one model call of it. */
    maxTokens: number;
    /**
     * Cost budget in USD: the session is stopped (`budget:cost`) within one model call of it, counted live
     * from an estimate and backed by the CLI's own `--max-budget-usd`. None when omitted.
     */
    maxCostUsd?: number;
    /** Wall-clock limit in milliseconds. */
    maxExecutionTime: number;
    /** Lower-case tool names: `read`, `write`, `bash`, `glob`, `grep`. */
    allowedTools: string[];
  };
  /** `'sandbox'` or `'none'` for sessions under this charter; a session config's `isolation` wins over it. */
  isolation?: 'sandbox' | 'none';
}

/** What the session is asked to do. */
export interface TaskContext {
  taskId: string;
  description: string;
  /** One of {@link SessionPriority}; plain strings are accepted by the type (object literals widen) and checked at run time. */
  priority: SessionPriority | (string & {});
  relatedTasks?: string[];
  metadata?: Record<string, unknown>;
}

/** What the session should remember from earlier work. */
export interface MemoryContext {
  recentActions: { timestamp: Date | string; action: string; result: string }[];
  conversationHistory: { role: 'user' | 'assistant'; content: string }[];
  preferences: Record<string, unknown>;
  projectContext: Record<string, unknown>;
}

/** Everything needed to start one Claude Code session. */
export interface ClaudeSessionConfig {
  /** Existing directory the CLI runs in. Nothing is written here by the spawner. */
  workingDirectory: string;
  charter: VPCharter;
  taskContext: TaskContext;
  memory: MemoryContext;
  /** Wall-clock limit in milliseconds; the stricter of this and `charter.resources.maxExecutionTime` applies. 0 = none. */
  timeout?: number;
  /** Extra environment for this session only. */
  environmentVariables?: Record<string, string>;
  /** Model alias or name passed to `--model`. */
  model?: string;
  /** Passed to `--max-turns`. */
  maxTurns?: number;
  /** Deadline for the CLI's first `system/init` message, in ms. @default 60_000 */
  startupTimeoutMs?: number;
  /** Longest silence on stdout before the session is stopped, in ms. 0 = none. @default 900_000 */
  idleTimeoutMs?: number;
  /** Resume this Claude conversation (`--resume`) instead of starting a new one. */
  resumeClaudeSessionId?: string;
  /** Accepted for compatibility with the original spec; has no effect. */
  verbose?: boolean;
  /** `'sandbox'` (bubblewrap) or `'none'` for this session; overrides the spawner's `isolation`. */
  isolation?: 'sandbox' | 'none';
  /**
   * Run in a git workspace of its own: a fresh checkout of `workspace.repository` on a new branch, delivered as
   * that branch when the session ends. The session's working directory is then the workspace.
   */
  workspace?: WorkspaceSpec;
}

/** The states of a session. The last five are final and never change once set. */
export type SessionState =
  | 'initializing'
  | 'running'
  | 'waiting_input'
  | 'completed'
  | 'failed'
  | 'crashed'
  | 'timeout'
  | 'terminated';

/** Token counts as the CLI reported them. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  total: number;
}

/** Counters taken from the stream-json messages. */
export interface SessionMetrics {
  /** Bash tool calls. */
  commandsExecuted: number;
  /** Distinct paths written by Write, Edit, MultiEdit and NotebookEdit. */
  filesModified: number;
  approvalPrompts: number;
  escalations: number;
  /** Tool results with `is_error` plus API errors. */
  errors: number;
  /** Model turns (`num_turns` summed over results). */
  turns: number;
  toolCalls: Record<string, number>;
  toolErrors: number;
  permissionDenials: number;
  /** stdout lines that were not JSON. */
  malformedLines: number;
  /** Messages of a `type` the spawner does not know (kept in the evidence, otherwise ignored). */
  unknownMessages: number;
  /** Those unknown `type` names, sorted, at most 20. */
  unknownMessageTypes: string[];
}

/**
 * Why a session ended, machine-readable: `completed`, `api_error:auth`, `api_error:rate_limited`,
 * `result_error:max_turns`, `budget:tokens`, `budget:cost`, `timeout:wall`, `timeout:startup`, `timeout:idle`, `terminated`,
 * `signal:SIGSEGV`, `exit:1`, ...
 */
export interface SessionOutcome {
  reason: string;
  message?: string;
}

/** A snapshot of one session. Copies are handed out; changing one changes nothing. */
export interface ClaudeSessionStatus {
  sessionId: string;
  /** The Claude conversation id (`--session-id`), for `--resume`. */
  claudeSessionId: string;
  state: SessionState;
  pid?: number;
  startTime: Date;
  endTime?: Date;
  /** Milliseconds from spawn to end. */
  executionTime?: number;
  exitCode?: number | null;
  signal?: string | null;
  errorMessage?: string;
  outcome?: SessionOutcome;
  /** Last part of stdout (bounded); the full text is in `files.stdout`. */
  stdout: string;
  /** Last part of stderr (bounded); the full text is in `files.stderr`. */
  stderr: string;
  tokenUsage: TokenUsage;
  costUsd: number;
  metrics: SessionMetrics;
  modifiedFiles: string[];
  model?: string;
  claudeCodeVersion?: string;
  /** Final text of the last `result`. */
  resultText?: string;
  /**
   * The CLI's background tasks still running (Bash with `run_in_background`, background subagents). A session
   * whose last `result` came while some ran is not complete until they end and the CLI has reported them.
   */
  backgroundTasks?: BackgroundTask[];
  files: { dir: string; charter: string; stdout: string; stderr: string };
  /** Facts for crash analysis, taken from the stream (filled when the session ends). */
  evidence?: SessionEvidence;
  /** The session's git workspace, when its config asked for one (`config.workspace`). */
  workspace?: WorkspaceStatus;
}

/** A task the CLI runs in the background, as its `task_started` / `background_tasks_changed` messages name it. */
export interface BackgroundTask {
  taskId: string;
  /** e.g. `local_bash`, `local_agent`. */
  type?: string;
  description?: string;
  /** The tool call that started it. */
  toolUseId?: string;
}

/** Facts from the stream-json messages that explain how a session ended. */
export interface SessionEvidence {
  resultSubtype?: string;
  isError?: boolean;
  apiErrorStatus?: number | null;
  /** The CLI's `api_error` field of the last result, e.g. `connection_failed`. */
  apiError?: string;
  /** The CLI's `api_error_type` of the last result (the API's `error.type`, e.g. `rate_limit_error`; 2.1.2xx). */
  apiErrorType?: string;
  /** The `error` field of the last CLI-made assistant message, e.g. `rate_limit`. */
  assistantError?: string;
  terminalReason?: string;
  /** The CLI's last report of retrying the API (`system/api_retry`). */
  lastApiRetry?: { attempt?: number; error?: string; errorStatus?: number; retryDelayMs?: number };
  /** When a reported rate limit resets, epoch ms. */
  rateLimitResetsAtMs?: number;
  /** Whether the session's process had reported `system/init`. */
  initialized: boolean;
  /** The last stream-json messages (at most 20, secrets redacted). */
  lastMessages: unknown[];
}

/** What `spawnSession` returns. */
export interface SpawnResult {
  sessionId: string;
  status: ClaudeSessionStatus;
  /** Resolves with the final status; never rejects. */
  completion: Promise<ClaudeSessionStatus>;
}

/** Evidence kept for a session that ended `crashed`. */
export interface SessionCrashReport {
  sessionId: string;
  timestamp: Date;
  signal?: string;
  exitCode?: number;
  lastState: SessionState;
  lastOutput: string;
  stderrTail: string;
  outcome?: SessionOutcome;
  stackTrace?: string;
}

/** Sessions counted by how they ended, as the spawner and the pool both report them. */
export interface SessionCounts {
  totalSessions: number;
  activeSessions: number;
  completedSessions: number;
  failedSessions: number;
  crashedSessions: number;
  timedOutSessions: number;
  terminatedSessions: number;
  /** Mean over finished sessions, in ms. */
  avgExecutionTime: number;
  totalTokensUsed: number;
}

/** Totals over active and finished sessions (each counted once). */
export interface SessionMetricsSummary extends SessionCounts {
  totalCostUsd: number;
}

/**
 * A git workspace for a session: its own checkout of `repository` on its own new branch, delivered at the end as
 * that branch of the repository. `'git'` in a task means every default.
 */
export interface WorkspaceSpec {
  /** The repository (or a folder inside it) to work on. @default the session's working directory */
  repository?: string;
  /** What the branch starts from: a branch, tag or commit of the repository. @default 'HEAD' */
  baseRef?: string;
  /** The new branch; must not exist in the repository yet. @default `vp/<taskId>-<4 hex>` */
  branch?: string;
  /** When the workspace folder is kept after the session. @default 'on-failure' */
  keep?: 'never' | 'on-failure' | 'always';
  /**
   * Continue in an existing workspace instead of making one: a status's `workspace.path` (retries and resumes
   * set it). Made again from its branch when the folder was removed.
   */
  path?: string;
}

/** What a workspace holds, as delivered to the repository. */
export interface WorkspaceDelivery {
  /** The workspace's working tree. */
  path: string;
  /** The repository's top-level folder (its git folder when bare). */
  repository: string;
  branch: string;
  baseRef: string;
  /** The commit `baseRef` named when the workspace was made. */
  baseCommit: string;
  /** The branch's last commit. */
  headCommit: string;
  /** Commits in `baseCommit..headCommit`. */
  commits: number;
  /** Paths that differ between `baseCommit` and `headCommit`, sorted (a rename counts as two paths). */
  filesChanged: string[];
  /** Lines added and removed (binary files count 0). */
  insertions: number;
  deletions: number;
}

/** A session's workspace: what it delivered (at the start: nothing yet), and whether its folder is still there. */
export interface WorkspaceStatus extends WorkspaceDelivery {
  /** When the folder is kept after the session. */
  keep: 'never' | 'on-failure' | 'always';
  /** False once the folder was removed (the branch stays). */
  kept: boolean;
  /** Why the work could not be committed or delivered (the folder is then always kept). */
  error?: string;
}
