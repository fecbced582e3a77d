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
  SESSION_NOT_FOUND: 'ERR_SESSION_NOT_FOUND',
  SESSION_NOT_RUNNING: 'ERR_SESSION_NOT_RUNNING',
  QUEUE_FULL: 'ERR_QUEUE_FULL',
  REQUEST_CANCELLED: 'ERR_REQUEST_CANCELLED',
  POOL_DRAINING: 'ERR_POOL_DRAINING',
  DUPLICATE_REQUEST: 'ERR_DUPLICATE_REQUEST',
  SESSION_FAILED: 'ERR_SESSION_FAILED',
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

/** The request was cancelled before a session was allocated to it. */
export class RequestCancelledError extends VpDaemonError {
  constructor(readonly requestId: string) {
    super(ErrorCodes.REQUEST_CANCELLED, `Request ${requestId} was cancelled`);
  }
}

/** The pool is draining and admits nothing new. */
export class PoolDrainingError extends VpDaemonError {
  constructor(readonly requestId: string) {
    super(ErrorCodes.POOL_DRAINING, `The pool is draining; request ${requestId} was not run`);
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
