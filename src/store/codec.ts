import { ConfigError } from '../session/errors.js';
import type { RequestState, StoredApproval, StoredCrash, StoredRequest, StoredSession } from './types.js';

/** A value JSON can hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const replacer = (_key: string, value: unknown): unknown => (value instanceof RegExp ? String(value) : value);

/**
 * The JSON form of `value`, as it is stored: RegExp values become `'/source/flags'` strings (the form
 * `regExpFromJson` reads back), Dates ISO strings; everything else follows JSON.stringify (undefined members
 * dropped, NaN as null). Throws TypeError on cycles and bigint.
 */
export function toJson(value: unknown): JsonValue {
  return JSON.parse(jsonText(value)) as JsonValue;
}

/** The RegExp a `'/source/flags'` string (from `toJson`) stands for; undefined when the string is not of that form. */
export function regExpFromJson(text: string): RegExp | undefined {
  const match = /^\/(.+)\/([a-z]*)$/s.exec(text);
  if (!match) return undefined;
  try {
    return new RegExp(match[1] ?? '', match[2]);
  } catch {
    return undefined;
  }
}

/** `toJson(value)` as text, for a JSON column. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, replacer) ?? 'null';
}

/** Epoch milliseconds of a valid Date. */
export function toMs(date: Date, field: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new ConfigError([{ field, message: 'must be a valid Date', value: date }], 'ERR_INVALID_OPTION');
  return ms;
}

/** -1 (no limit) or a checked non-negative integer. */
export function toLimit(limit: number | undefined): number {
  if (limit === undefined) return -1;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new ConfigError([{ field: 'limit', message: 'must be a non-negative integer', value: limit }], 'ERR_INVALID_OPTION');
  }
  return limit;
}

/** A JSON array of the wanted values, or null for "any" (used with `json_each`). */
export function toSet(value: string | readonly string[] | undefined): string | null {
  if (value === undefined) return null;
  return JSON.stringify(typeof value === 'string' ? [value] : value);
}

type Nullable<T> = T | null;

export interface RequestRow {
  request_id: string;
  priority: string;
  triage: string;
  state: RequestState;
  session_id: Nullable<string>;
  attempts: number;
  created_at: number;
  updated_at: number;
  error: Nullable<string>;
}

export interface SessionRow {
  session_id: string;
  request_id: Nullable<string>;
  claude_session_id: string;
  pid: Nullable<number>;
  working_directory: string;
  state: string;
  outcome: Nullable<string>;
  started_at: number;
  ended_at: Nullable<number>;
  /** Absent from the rows of queries that leave it out. */
  status?: Nullable<string>;
  summary: Nullable<string>;
}

export interface CrashRow {
  id: number;
  session_id: string;
  crash_class: string;
  crash_type: string;
  analysis: string;
  dump_path: Nullable<string>;
  at: number;
}

export interface ApprovalRow {
  approval_id: string;
  session_id: string;
  tool_name: string;
  input: string;
  reason: string;
  state: StoredApproval['state'];
  requested_at: number;
  resolved_at: Nullable<number>;
  resolution: Nullable<string>;
}

export const requestFromRow = (r: RequestRow): StoredRequest => ({
  requestId: r.request_id,
  priority: r.priority,
  triage: JSON.parse(r.triage),
  state: r.state,
  ...(r.session_id !== null && { sessionId: r.session_id }),
  attempts: r.attempts,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  ...(r.error !== null && { error: r.error }),
});

export const sessionFromRow = (r: SessionRow): StoredSession => ({
  sessionId: r.session_id,
  ...(r.request_id !== null && { requestId: r.request_id }),
  claudeSessionId: r.claude_session_id,
  ...(r.pid !== null && { pid: r.pid }),
  workingDirectory: r.working_directory,
  state: r.state,
  ...(r.outcome !== null && { outcome: r.outcome }),
  startedAt: new Date(r.started_at),
  ...(r.ended_at !== null && { endedAt: new Date(r.ended_at) }),
  ...(r.status !== null && r.status !== undefined && { status: JSON.parse(r.status) as unknown }),
  ...(r.summary !== null && { summary: JSON.parse(r.summary) as unknown }),
});

export const crashFromRow = (r: CrashRow): StoredCrash => ({
  id: r.id,
  sessionId: r.session_id,
  crashClass: r.crash_class,
  crashType: r.crash_type,
  analysis: JSON.parse(r.analysis),
  ...(r.dump_path !== null && { dumpPath: r.dump_path }),
  at: new Date(r.at),
});

export const approvalFromRow = (r: ApprovalRow): StoredApproval => ({
  approvalId: r.approval_id,
  sessionId: r.session_id,
  toolName: r.tool_name,
  input: JSON.parse(r.input),
  reason: r.reason,
  state: r.state,
  requestedAt: new Date(r.requested_at),
  ...(r.resolved_at !== null && { resolvedAt: new Date(r.resolved_at) }),
  ...(r.resolution !== null && { resolution: r.resolution }),
});
