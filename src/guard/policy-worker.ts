// Decides tool calls without stalling the daemon: small inputs inline, large ones in one worker thread (started on
// first need, unref'd so it never keeps the process alive) with a deadline past which the call is denied.
// This module is also the worker's entry point: the worker runs this same file.
import { isMainThread, parentPort, workerData, type Worker } from 'node:worker_threads';
import { checkToolCall, prepareRules, type PolicyRules, type ToolCallVerdict } from '../charter/policy/check-tool-call.js';
import type { VPCharter } from '../session/types.js';
import { startModuleWorker } from '../utils/worker.js';
import { matchRequiredApproval } from './approvals.js';

/** What the guard enforces of a charter, in a form that can be posted to a worker (patterns as source and flags). */
export interface SessionPolicy {
  rules: PolicyRules & { forbiddenPatterns: { source: string; flags: string }[] };
  requiredApprovals: readonly string[];
  /** Identifies the rules in the worker, which compiles them once. */
  key: string;
  /** Sum of the patterns' RE2 program sizes: their worst cost per input character. */
  patternCost: number;
}

/** The policy's answer: the verdict, and the required-approval term the call matches (if allowed). */
export interface PolicyDecision {
  verdict: ToolCallVerdict;
  approval?: string;
}

/** Options of {@link decideToolCall}. */
export interface DecideOptions {
  /** How long a check in the worker may take before the call is denied. @default 2000 */
  deadlineMs?: number;
  /** Decide in the worker even when the input is small (tests). */
  forceWorker?: boolean;
}

/** Inputs up to this many characters may be decided inline: the tokenizer's worst case stays within a few ms. */
export const INLINE_MAX_CHARS = 16 * 1024;
/** ...and only while characters × pattern program size stay under this (RE2's slow path costs per instruction). */
const INLINE_MAX_WORK = 256 * 1024;
const DEFAULT_DEADLINE_MS = 2000;
const WORKER_MARK = 'vp-daemon policy worker';
// A young generation large enough for the objects of a 1 MB command: fewer collections while it is parsed.
const WORKER_OPTIONS = { workerData: { mark: WORKER_MARK }, resourceLimits: { maxYoungGenerationSizeMb: 64 } };

/** Compiles what the guard enforces of `charter` (once per session). */
export function sessionPolicy(charter: VPCharter): SessionPolicy {
  const { forbiddenCommands, forbiddenPatterns, requiredApprovals } = charter.constraints;
  const rules = {
    forbiddenCommands: [...forbiddenCommands],
    forbiddenPatterns: forbiddenPatterns.map((p) => ({ source: p.source, flags: p.flags })),
    allowedTools: [...charter.resources.allowedTools],
  };
  const { patternCost } = prepareRules(rules);
  return { rules, requiredApprovals: [...requiredApprovals], key: JSON.stringify(rules), patternCost };
}

/** The decision itself (pure; what the worker runs). */
export function decidePolicy(toolName: string, input: Record<string, unknown>, rules: PolicyRules, requiredApprovals: readonly string[]): PolicyDecision {
  const verdict = checkToolCall(toolName, input, rules);
  if (!verdict.allowed) return { verdict };
  const approval = matchRequiredApproval(toolName, input, requiredApprovals);
  return approval === undefined ? { verdict } : { verdict, approval };
}

/** Characters of text in a tool input, counted up to `limit` (and a little past it). */
export function inputChars(value: unknown, limit: number): number {
  let total = 0;
  const todo: unknown[] = [value];
  while (todo.length > 0 && total <= limit) {
    const v = todo.pop();
    if (typeof v === 'string') total += v.length;
    else if (Array.isArray(v)) for (const item of v as unknown[]) todo.push(item);
    else if (typeof v === 'object' && v !== null) {
      for (const [key, inner] of Object.entries(v)) {
        total += key.length + 4;
        todo.push(inner);
      }
    } else total += 8;
  }
  return total;
}

interface Request {
  id: number;
  toolName: string;
  input: Record<string, unknown>;
  key: string;
  rules: SessionPolicy['rules'];
  requiredApprovals: readonly string[];
}
interface Reply {
  id: number;
  decision?: PolicyDecision;
  error?: string;
}
interface Pending {
  request: Request;
  resolve: (decision: PolicyDecision) => void;
  timer: NodeJS.Timeout;
}

const denied = (rule: string, reason: string): PolicyDecision => ({ verdict: { allowed: false, rule, reason: `Blocked by the session charter: ${reason}` } });

/** The one policy worker of this process. */
class PolicyWorker {
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  check(request: Omit<Request, 'id'>, deadlineMs: number): Promise<PolicyDecision> {
    const id = this.#nextId++;
    const full = { ...request, id };
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#timeout(id, deadlineMs), deadlineMs);
      this.#pending.set(id, { request: full, resolve, timer });
      this.#post(full);
    });
  }

  #post(request: Request): void {
    try {
      this.#start().postMessage(request);
    } catch (error) {
      this.#settle(request.id, denied('policy check', `the call could not be checked (${String(error)}); try again`));
    }
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startModuleWorker(import.meta.url, WORKER_OPTIONS);
    worker.on('message', (reply: Reply) => {
      const decision = reply.decision ?? denied('policy check', `the call could not be checked (${reply.error ?? 'no answer'})`);
      this.#settle(reply.id, decision);
    });
    const fail = (why: string): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      for (const id of [...this.#pending.keys()]) this.#settle(id, denied('policy check', `the policy worker stopped (${why}); try again`));
    };
    worker.on('error', (error) => fail(String(error)));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    worker.unref(); // after the listeners: it must never keep the process alive
    this.#worker = worker;
    return worker;
  }

  /** A check past its deadline: deny it, and replace the worker (it may be stuck), re-sending what else waits. */
  #timeout(id: number, deadlineMs: number): void {
    if (!this.#pending.has(id)) return;
    this.#settle(id, denied('policy deadline', `the call could not be checked within ${deadlineMs} ms (its input is too large or too complex); split it into smaller steps`));
    const stuck = this.#worker;
    this.#worker = undefined;
    void stuck?.terminate();
    for (const pending of this.#pending.values()) this.#post(pending.request);
  }

  #settle(id: number, decision: PolicyDecision): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(decision);
  }
}

let shared: PolicyWorker | undefined;

/** True when `input` is small enough (and cheap enough for the policy's patterns) to be decided without a worker. */
export function decidableInline(input: Record<string, unknown>, policy: SessionPolicy): boolean {
  const chars = inputChars(input, INLINE_MAX_CHARS);
  return chars <= INLINE_MAX_CHARS && chars * (1 + policy.patternCost) <= INLINE_MAX_WORK;
}

/**
 * Decides a tool call against a session's policy. Inputs that are small (and cheap for the patterns) are decided
 * inline; larger ones in the policy worker, so the event loop never waits for them. Never rejects: a check that
 * fails or takes longer than the deadline denies the call.
 */
export async function decideToolCall(toolName: string, input: Record<string, unknown>, policy: SessionPolicy, options: DecideOptions = {}): Promise<PolicyDecision> {
  if (!options.forceWorker && decidableInline(input, policy)) {
    try {
      return decidePolicy(toolName, input, policy.rules, policy.requiredApprovals);
    } catch (error) {
      return denied('policy check', `the call could not be checked (${String(error)})`);
    }
  }
  shared ??= new PolicyWorker();
  const { rules, requiredApprovals, key } = policy;
  return shared.check({ toolName, input, key, rules, requiredApprovals }, options.deadlineMs ?? DEFAULT_DEADLINE_MS);
}

/** The worker side: decides each request, compiling each policy once (by key). */
function serve(): void {
  const port = parentPort;
  if (!port) return;
  const policies = new Map<string, PolicyRules>();
  port.on('message', (request: Request) => {
    let rules = policies.get(request.key);
    if (!rules) {
      if (policies.size >= 32) policies.delete(policies.keys().next().value as string);
      policies.set(request.key, (rules = request.rules));
    }
    let reply: Reply;
    try {
      reply = { id: request.id, decision: decidePolicy(request.toolName, request.input, rules, request.requiredApprovals) };
    } catch (error) {
      reply = { id: request.id, error: String(error) };
    }
    port.postMessage(reply);
  });
}

if (!isMainThread && (workerData as { mark?: string } | null)?.mark === WORKER_MARK) serve();
