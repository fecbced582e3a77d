/**
 * Stable error codes. A code is never reused for another meaning once published.
 */
export const ErrorCodes = {
  INVALID_CONFIG: 'ERR_INVALID_CONFIG',
  INVALID_OPTION: 'ERR_INVALID_OPTION',
  WORKDIR_NOT_FOUND: 'ERR_WORKDIR_NOT_FOUND',
  CLAUDE_NOT_FOUND: 'ERR_CLAUDE_NOT_FOUND',
  CLAUDE_NOT_EXECUTABLE: 'ERR_CLAUDE_NOT_EXECUTABLE',
  STATE_DIR_UNWRITABLE: 'ERR_STATE_DIR_UNWRITABLE',
  SPAWN_FAILED: 'ERR_SPAWN_FAILED',
  SANDBOX_UNAVAILABLE: 'ERR_SANDBOX_UNAVAILABLE',
  SESSION_NOT_FOUND: 'ERR_SESSION_NOT_FOUND',
  SESSION_NOT_RUNNING: 'ERR_SESSION_NOT_RUNNING',
  QUEUE_FULL: 'ERR_QUEUE_FULL',
  REQUEST_CANCELLED: 'ERR_REQUEST_CANCELLED',
  POOL_DRAINING: 'ERR_POOL_DRAINING',
  DUPLICATE_REQUEST: 'ERR_DUPLICATE_REQUEST',
  SESSION_FAILED: 'ERR_SESSION_FAILED',
  STORE_CORRUPT: 'ERR_STORE_CORRUPT',
  STORE_FOREIGN: 'ERR_STORE_FOREIGN',
  DAEMON_RUNNING: 'ERR_DAEMON_RUNNING',
  TASK_FILE: 'ERR_TASK_FILE',
  TASK_FILE_NOT_FOUND: 'ERR_TASK_FILE_NOT_FOUND',
  CHARTER_NOT_FOUND: 'ERR_CHARTER_NOT_FOUND',
  WORKSPACE_NOT_A_REPOSITORY: 'ERR_WORKSPACE_NOT_A_REPOSITORY',
  WORKSPACE_BASE_REF: 'ERR_WORKSPACE_BASE_REF',
  WORKSPACE_BRANCH_INVALID: 'ERR_WORKSPACE_BRANCH_INVALID',
  WORKSPACE_BRANCH_EXISTS: 'ERR_WORKSPACE_BRANCH_EXISTS',
  WORKSPACE_MERGE_IN_PROGRESS: 'ERR_WORKSPACE_MERGE_IN_PROGRESS',
  WORKSPACE_NO_SPACE: 'ERR_WORKSPACE_NO_SPACE',
  WORKSPACE_CREATE: 'ERR_WORKSPACE_CREATE',
  WORKSPACE_MANIFEST: 'ERR_WORKSPACE_MANIFEST',
  WORKSPACE_TAMPERED: 'ERR_WORKSPACE_TAMPERED',
  WORKSPACE_DELIVER: 'ERR_WORKSPACE_DELIVER',
  WORKSPACE_GIT: 'ERR_WORKSPACE_GIT',
  WORKSPACE_UNSAFE: 'ERR_WORKSPACE_UNSAFE',
  WORKSPACE_IN_USE: 'ERR_WORKSPACE_IN_USE',
  FLEET_URL: 'ERR_FLEET_URL',
  FLEET_UNREACHABLE: 'ERR_FLEET_UNREACHABLE',
  FLEET_MISMATCH: 'ERR_FLEET_MISMATCH',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base class of every error this package throws: a stable `code` and an optional `cause`. */
export class VpDaemonError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false });
  }
}

/** A session config or an option failed validation. `field` is the dotted path, `value` what was given. */
export class ConfigError extends VpDaemonError {
  readonly field: string;
  readonly value: unknown;
  /** Every problem found, when there was more than one. */
  readonly issues: readonly { field: string; message: string; value: unknown }[];

  constructor(
    issues: readonly { field: string; message: string; value: unknown }[],
    code: typeof ErrorCodes.INVALID_CONFIG | typeof ErrorCodes.INVALID_OPTION = ErrorCodes.INVALID_CONFIG,
  ) {
    const first = issues[0] ?? { field: '(root)', message: 'invalid', value: undefined };
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(code, `Invalid ${first.field}: ${first.message}; got ${describeValue(first.value)}${more}`);
    this.field = first.field;
    this.value = first.value;
    this.issues = issues;
  }
}

/** The session's working directory does not exist or is not a directory. */
export class WorkingDirectoryError extends VpDaemonError {
  readonly field = 'workingDirectory';
  constructor(
    readonly value: string,
    options?: { cause?: unknown },
  ) {
    super(ErrorCodes.WORKDIR_NOT_FOUND, `Working directory does not exist or is not a directory: ${value}`, options);
  }
}

/** The Claude CLI binary is missing or cannot be executed. */
export class ClaudeBinaryError extends VpDaemonError {
  readonly field = 'claudePath';
  constructor(
    code: typeof ErrorCodes.CLAUDE_NOT_FOUND | typeof ErrorCodes.CLAUDE_NOT_EXECUTABLE,
    readonly value: string,
    options?: { cause?: unknown },
  ) {
    super(
      code,
      code === ErrorCodes.CLAUDE_NOT_FOUND
        ? `Claude CLI not found: ${value}. Install @anthropic-ai/claude-code or set VP_CLAUDE_PATH / the claudePath option.`
        : `Claude CLI is not executable: ${value}`,
      options,
    );
  }
}

/** The state folder cannot be created or written. */
export class StateDirError extends VpDaemonError {
  readonly field = 'stateDir';
  constructor(
    readonly value: string,
    options?: { cause?: unknown },
  ) {
    super(ErrorCodes.STATE_DIR_UNWRITABLE, `State folder is not writable: ${value}`, options);
  }
}

/** The operating system refused to start the process. */
export class SpawnError extends VpDaemonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.SPAWN_FAILED, message, options);
  }
}

/**
 * A session asked for `isolation: 'sandbox'` (the default) and the machine cannot give it one.
 * Nothing was started; `missing` names what to install, or set `isolation: 'none'` explicitly.
 */
export class SandboxUnavailableError extends VpDaemonError {
  readonly field = 'isolation';
  readonly value = 'sandbox';
  constructor(
    readonly missing: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(ErrorCodes.SANDBOX_UNAVAILABLE, `Sessions cannot be sandboxed: ${detail}. Install ${missing}, or set isolation: 'none' to run unsandboxed.`, options);
  }
}

/** No session with that id is known. */
export class SessionNotFoundError extends VpDaemonError {
  constructor(readonly sessionId: string) {
    super(ErrorCodes.SESSION_NOT_FOUND, `Session not found: ${sessionId}`);
  }
}

/** The session exists but is not in a state that allows the operation. */
export class SessionNotRunningError extends VpDaemonError {
  constructor(
    readonly sessionId: string,
    readonly state: string,
  ) {
    super(ErrorCodes.SESSION_NOT_RUNNING, `Session ${sessionId} is ${state}, not running`);
  }
}

/** The pool's queue holds `maxQueueSize` requests already. */
export class QueueFullError extends VpDaemonError {
  constructor(
    readonly requestId: string,
    readonly maxQueueSize: number,
  ) {
    super(ErrorCodes.QUEUE_FULL, `Queue is full (${maxQueueSize} requests); request ${requestId} was not queued`);
  }
}

/** The request was cancelled: before a session was allocated, while waiting for a retry, or stopped on request (`cause`: how its last session ended). */
export class RequestCancelledError extends VpDaemonError {
  constructor(
    readonly requestId: string,
    options?: { cause?: unknown },
  ) {
    super(ErrorCodes.REQUEST_CANCELLED, `Request ${requestId} was cancelled`, options);
  }
}

/** The pool is draining and admits nothing new (nor retries: `cause` tells how the last attempt ended). */
export class PoolDrainingError extends VpDaemonError {
  constructor(
    readonly requestId: string,
    options?: { cause?: unknown },
  ) {
    super(ErrorCodes.POOL_DRAINING, `The pool is draining; request ${requestId} was not run`, options);
  }
}

/** A request with this id is already queued or running. */
export class DuplicateRequestError extends VpDaemonError {
  constructor(readonly requestId: string) {
    super(ErrorCodes.DUPLICATE_REQUEST, `Request ${requestId} is already queued or running`);
  }
}

/** A pooled session ended in a state other than `completed`; `status` tells how. */
export class SessionFailedError extends VpDaemonError {
  constructor(readonly status: { sessionId: string; state: string; outcome?: { reason: string } }) {
    super(ErrorCodes.SESSION_FAILED, `Session ${status.sessionId} ended ${status.state} (${status.outcome?.reason ?? 'no outcome'})`);
  }
}

/** True for errors thrown by this package. */
export const isVpDaemonError = (error: unknown): error is VpDaemonError => error instanceof VpDaemonError;

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value); // JSON would show NaN and Infinity as null
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value instanceof RegExp) return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    return typeof value;
  }
}

// --- Durable state (src/store) ---

/** The state database exists but is not a usable SQLite file. It is never modified or overwritten. */
export class StoreCorruptError extends VpDaemonError {
  constructor(
    readonly path: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(ErrorCodes.STORE_CORRUPT, `State database ${path} is not usable (${detail}); it was left untouched. Move it away or use another state folder.`, options);
  }
}

/**
 * The state database is SQLite but not this daemon's (`reason: 'application_id'`: another application id, or untagged
 * with tables of its own), or was written by a newer vp-daemon (`reason: 'schema_version'`). It is never modified.
 */
export class StoreForeignError extends VpDaemonError {
  constructor(
    readonly path: string,
    readonly reason: 'application_id' | 'schema_version',
    detail: string,
  ) {
    super(ErrorCodes.STORE_FOREIGN, `State database ${path} ${detail}. It was left untouched.`);
  }
}

/** Another live daemon (`pid`) holds the lock of the state folder. */
export class DaemonRunningError extends VpDaemonError {
  constructor(
    readonly pid: number,
    readonly lockPath: string,
  ) {
    super(ErrorCodes.DAEMON_RUNNING, `Another vp-daemon (pid ${pid}) holds ${lockPath}; stop it first or use another state folder.`);
  }
}

// --- Task and charter files (src/files) ---

/** One problem in a task or charter file. `line` and `column` are 1-based; absent when the file could not be read. */
export interface FileIssue {
  line?: number;
  column?: number;
  /** Dotted path in the file, e.g. `charter.resources.maxTokens`. */
  field?: string;
  message: string;
  /** What the file holds there (absent when the field is missing). */
  value?: unknown;
}

/** The codes a {@link TaskFileError} carries. */
export type TaskFileErrorCode =
  | typeof ErrorCodes.TASK_FILE
  | typeof ErrorCodes.TASK_FILE_NOT_FOUND
  | typeof ErrorCodes.CHARTER_NOT_FOUND
  | typeof ErrorCodes.WORKDIR_NOT_FOUND;

/**
 * A task or charter file is missing, unreadable or invalid. The message reads
 * `file:line:column: field: problem (got value)`; `line`, `column`, `field` and `value` are those of the
 * first problem in the file, `issues` holds every problem found.
 * Codes: `ERR_TASK_FILE` (invalid content), `ERR_TASK_FILE_NOT_FOUND` (the file is missing or unreadable),
 * `ERR_CHARTER_NOT_FOUND` (no charter file of that name), `ERR_WORKDIR_NOT_FOUND` (workingDirectory is not a folder).
 */
export class TaskFileError extends VpDaemonError {
  declare readonly code: TaskFileErrorCode;
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly field: string | undefined;
  readonly value: unknown;
  readonly issues: readonly FileIssue[];

  constructor(file: string, issues: readonly FileIssue[], code: TaskFileErrorCode = ErrorCodes.TASK_FILE, options?: { cause?: unknown }) {
    const first = issues[0] ?? { message: 'invalid file' };
    const where = first.line === undefined ? file : `${file}:${first.line}:${first.column ?? 1}`;
    const field = first.field === undefined ? '' : `${first.field}: `;
    const got = first.value === undefined ? '' : ` (got ${describeValue(first.value)})`;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(code, `${where}: ${field}${first.message}${got}${more}`, options);
    this.file = file;
    this.line = first.line;
    this.column = first.line === undefined ? undefined : (first.column ?? 1);
    this.field = first.field;
    this.value = first.value;
    this.issues = issues;
  }
}

/**
 * A task names a charter that no charters folder holds. `searched` lists every folder looked in, in the order
 * they were tried (the message names each one and what it holds); `available` lists the names they do hold.
 */
export class CharterNotFoundError extends TaskFileError {
  /** The first folder looked in. */
  readonly chartersDir: string;

  constructor(
    file: string,
    issue: FileIssue & { value: string },
    readonly searched: readonly string[],
    readonly available: readonly string[],
  ) {
    super(file, [issue], ErrorCodes.CHARTER_NOT_FOUND);
    this.chartersDir = searched[0] ?? '';
  }

  /** The charter name that was asked for. */
  get charterName(): string {
    return this.value as string;
  }
}

// --- Workspaces (src/workspace) ---

/** The codes a {@link WorkspaceError} carries. */
export type WorkspaceErrorCode =
  | typeof ErrorCodes.WORKSPACE_NOT_A_REPOSITORY
  | typeof ErrorCodes.WORKSPACE_BASE_REF
  | typeof ErrorCodes.WORKSPACE_BRANCH_INVALID
  | typeof ErrorCodes.WORKSPACE_BRANCH_EXISTS
  | typeof ErrorCodes.WORKSPACE_MERGE_IN_PROGRESS
  | typeof ErrorCodes.WORKSPACE_NO_SPACE
  | typeof ErrorCodes.WORKSPACE_CREATE
  | typeof ErrorCodes.WORKSPACE_MANIFEST
  | typeof ErrorCodes.WORKSPACE_TAMPERED
  | typeof ErrorCodes.WORKSPACE_DELIVER
  | typeof ErrorCodes.WORKSPACE_GIT
  | typeof ErrorCodes.WORKSPACE_UNSAFE
  | typeof ErrorCodes.WORKSPACE_IN_USE;

/**
 * A workspace could not be created, read, finalized, delivered or removed. `field` names what was wrong
 * (`workspace.repository`, `workspace.baseRef`, `workspace.branch`, `workspace.root`, `workspace.path`) and
 * `value` what it held. A failed git command is the `cause` (with its exit code and stderr).
 * Codes: `ERR_WORKSPACE_NOT_A_REPOSITORY`, `ERR_WORKSPACE_BASE_REF`, `ERR_WORKSPACE_BRANCH_INVALID`,
 * `ERR_WORKSPACE_BRANCH_EXISTS`, `ERR_WORKSPACE_MERGE_IN_PROGRESS`, `ERR_WORKSPACE_NO_SPACE`, `ERR_WORKSPACE_CREATE`
 * (creation failed midway; nothing was left behind), `ERR_WORKSPACE_MANIFEST` (no valid `workspace.json`),
 * `ERR_WORKSPACE_TAMPERED` (the workspace's folders are not what was made), `ERR_WORKSPACE_DELIVER` (the branch
 * could not be fetched into the repository), `ERR_WORKSPACE_GIT` (another git command failed), `ERR_WORKSPACE_IN_USE`
 * (a live process of another session holds it).
 */
export class WorkspaceError extends VpDaemonError {
  declare readonly code: WorkspaceErrorCode;

  constructor(
    code: WorkspaceErrorCode,
    readonly field: string,
    readonly value: unknown,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** `removeWorkspace` refused: the workspace holds work the repository does not have. `reason` says what. */
export class WorkspaceUnsafeError extends WorkspaceError {
  constructor(
    path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(ErrorCodes.WORKSPACE_UNSAFE, 'workspace.path', path, `Workspace ${path} was not removed: ${reason}`, options);
  }
}

// --- The fleet (src/fleet) ---

/**
 * A fleet could not be joined. `field` is `fleet.url` or `fleet.name`; `value` the URL with any password hidden.
 * Codes: `ERR_FLEET_URL` (not a redis:// or rediss:// URL), `ERR_FLEET_UNREACHABLE` (Redis did not answer),
 * `ERR_FLEET_MISMATCH` (the Redis database holds a fleet of another name or protocol version).
 */
export class FleetError extends VpDaemonError {
  constructor(
    code: typeof ErrorCodes.FLEET_URL | typeof ErrorCodes.FLEET_UNREACHABLE | typeof ErrorCodes.FLEET_MISMATCH,
    readonly field: string,
    readonly value: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
