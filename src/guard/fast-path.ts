// What the guard thread decides on its own, without the daemon's event loop: calls the charter allows or
// blocks outright. Anything that needs a person, a large input (the policy worker's deadline), or a session past
// its budget goes on to the daemon. Pure: the same rules as SessionGuard, so both give the same answers.
import { checkExec } from '../charter/policy/check-exec.js';
import { prepareRules } from '../charter/policy/check-tool-call.js';
import type { ExecRequest, FastRules, GuardDecision, HookCall } from './channel-types.js';
import { decidableInline, decidePolicy } from './policy-worker.js';

/** The tool name under which programs checked at exec (by the exec guard shim) are reported and approved. */
export const EXEC_TOOL_NAME = 'exec';

/** A program as a tool call, as it is reported and approved. */
export const execCall = (request: ExecRequest): HookCall => ({
  tool_name: EXEC_TOOL_NAME,
  tool_input: { path: request.path, argv: request.argv, cwd: request.cwd },
});

/** The answer, and the reason to report when it blocks; undefined when the daemon must decide. */
export type FastAnswer = { decision: GuardDecision; blocked?: string } | undefined;

const answer = (verdict: { allowed: true } | { allowed: false; reason: string }): FastAnswer =>
  verdict.allowed ? { decision: { decision: 'allow' } } : { decision: { decision: 'deny', reason: verdict.reason }, blocked: verdict.reason };

/** Compiles a channel's rules when it opens, so that its first tool call does not wait for that. */
export function warmFastRules(rules: FastRules): void {
  prepareRules(rules.policy.rules);
}

/** A tool call from the PreToolUse hook. */
export function fastCall(rules: FastRules, call: HookCall): FastAnswer {
  const input = call.tool_input ?? {};
  if (!decidableInline(input, rules.policy)) return undefined;
  const { verdict, approval } = decidePolicy(call.tool_name, input, rules.policy.rules, rules.policy.requiredApprovals);
  return approval === undefined ? answer(verdict) : undefined;
}

/** A program about to run, from the exec guard shim. */
export function fastExec(rules: FastRules, request: ExecRequest): FastAnswer {
  if (!rules.exec) return undefined;
  const verdict = checkExec(request.path, request.argv, rules.exec);
  return 'approval' in verdict ? undefined : answer(verdict);
}
