import type { ExecRules } from '../charter/policy/check-exec.js';
import type { SessionPolicy } from './policy-worker.js';

/** A tool call as the CLI hands it to a PreToolUse hook. */
export interface HookCall {
  tool_name: string;
  tool_input: Record<string, unknown>;
  tool_use_id?: string;
  session_id?: string;
}

/** A program about to run inside the sandbox, as the exec guard shim reports it (path resolved, argv as run). */
export interface ExecRequest {
  path: string;
  argv: string[];
  cwd: string;
}

/** The guard's answer: `allow` lets the CLI's own permission rules decide, `deny` refuses with a reason the model sees. */
export type GuardDecision = { decision: 'allow' } | { decision: 'deny'; reason: string };

/** The rules a channel's fast path applies (posted to the guard thread when the channel opens). */
export interface FastRules {
  policy: SessionPolicy;
  /** Present when the session has an exec guard. */
  exec?: ExecRules;
}

/** The daemon → guard thread messages. */
export type ToThread =
  | { type: 'open'; channel: number; socketPath: string; token: string; fast?: FastRules; overBudget: boolean }
  | { type: 'close'; channel: number }
  | { type: 'over-budget'; channel: number }
  | { type: 'answer'; channel: number; request: number; decision: GuardDecision }
  | { type: 'sync'; sync: number };

/** The guard thread → daemon messages. */
export type FromThread =
  | { type: 'opened'; channel: number; error?: string }
  | { type: 'closed'; channel: number }
  | { type: 'forward'; channel: number; request: number; call?: HookCall; exec?: ExecRequest }
  /** A call (or a program: `exec`) the thread decided on its own; `blocked` is the reason when it was refused. */
  | { type: 'decided'; channel: number; call: HookCall; exec: boolean; blocked?: string }
  | { type: 'synced'; sync: number };

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** The `exec` field of a request, when it has the shape the shim sends. */
export function execRequest(value: unknown): ExecRequest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { path, argv, cwd } = value as Record<string, unknown>;
  if (typeof path !== 'string' || !isStrings(argv) || (cwd !== undefined && typeof cwd !== 'string')) return undefined;
  return { path, argv, cwd: cwd ?? '' };
}
