import { randomUUID } from 'node:crypto';
import { checkExec } from '../charter/policy/check-exec.js';
import type { VPCharter } from '../session/types.js';
import type { ExecRequest, GuardDecision, HookCall } from './channel-types.js';
import { execCall } from './fast-path.js';
import type { ChannelHandlers } from './guard-thread-client.js';
import { decideToolCall, sessionPolicy, type SessionPolicy } from './policy-worker.js';

export { EXEC_TOOL_NAME } from './fast-path.js';

/** A tool call waiting for a person's decision. */
export interface ApprovalRequest {
  approvalId: string;
  sessionId: string;
  toolName: string;
  input: Record<string, unknown>;
  /** Why it needs approval, e.g. `matches required approval "deploy"`. */
  reason: string;
  requestedAt: Date;
}

/** What the guard reports back to its session. */
export interface GuardEvents {
  isOverBudget(): boolean;
  approvalRequested(request: ApprovalRequest): void;
  approvalSettled(request: ApprovalRequest, approved: boolean, reason: string): void;
  blocked(call: HookCall, reason: string): void;
}

interface Pending {
  request: ApprovalRequest;
  settle: (approved: boolean, reason: string) => void;
}

/** Decides each tool call of one session: budget, forbidden commands and patterns, then required approvals. */
export class SessionGuard {
  readonly #pending = new Map<string, Pending>();
  /** The approval term of the last approved tool call, until the next tool call is decided. */
  #grant: string | undefined;
  /** The charter's rules, compiled once. */
  #compiled: SessionPolicy | undefined;

  constructor(
    private readonly sessionId: string,
    private readonly charter: VPCharter,
    private readonly approvalTimeoutMs: number,
    private readonly events: GuardEvents,
  ) {}

  /**
   * The handlers of this guard's channel. The guard thread decides alone what the same rules allow or block outright
   * ({@link decide} and {@link decideExec} give the same answers); `saw` hears of every tool call decided, wherever.
   */
  channelHandlers(saw: (call: HookCall) => void = () => undefined): ChannelHandlers {
    const { forbiddenCommands, requiredApprovals } = this.charter.constraints;
    return {
      fast: { policy: this.#policy(), exec: { forbiddenCommands: [...forbiddenCommands], requiredApprovals: [...requiredApprovals] } },
      decide: (call) => {
        saw(call);
        return this.decide(call);
      },
      decideExec: (request) => this.decideExec(request),
      decided: (call, exec, blocked) => {
        if (!exec) {
          saw(call);
          this.#grant = undefined;
        }
        if (blocked !== undefined) this.events.blocked(call, blocked);
      },
    };
  }

  async decide(call: HookCall): Promise<GuardDecision> {
    this.#grant = undefined;
    const input = call.tool_input ?? {};
    if (this.events.isOverBudget()) return this.#deny(call, 'The session has used its budget (tokens or cost) and is being stopped.');
    // Large inputs are decided in the policy worker (the event loop never waits for them); a check past its deadline denies.
    const { verdict, approval: term } = await decideToolCall(call.tool_name, input, this.#policy());
    if (!verdict.allowed) return this.#deny(call, verdict.reason);
    if (term === undefined) return { decision: 'allow' };
    const decision = await this.#askPerson(call, `matches required approval "${term}"`);
    // The approved call may now run the program the term names: decideExec does not ask a second time.
    if (decision.decision === 'allow') this.#grant = term;
    return decision;
  }

  /**
   * Decides a program about to run inside the sandbox, as the exec guard shim reports it: a forbidden command is
   * denied; an approval term asks a person, unless a person approved a tool call with the same term and no tool
   * call has been decided since.
   */
  decideExec(request: ExecRequest): Promise<GuardDecision> {
    const call = execCall(request);
    const verdict = checkExec(request.path, request.argv, this.charter.constraints);
    if ('approval' in verdict) {
      if (this.#grant?.toLowerCase() === verdict.approval.toLowerCase()) return Promise.resolve({ decision: 'allow' });
      const ran = request.argv.join(' ').slice(0, 200);
      return this.#askPerson(call, `the program ${ran} matches required approval "${verdict.approval}"`);
    }
    return Promise.resolve(verdict.allowed ? { decision: 'allow' } : this.#deny(call, verdict.reason));
  }

  /** Lets a waiting call run. Returns false when the id is not waiting (unknown or already settled). */
  approve(approvalId: string): boolean {
    return this.#settle(approvalId, true, 'approved');
  }

  /** Refuses a waiting call; the model sees the reason. */
  deny(approvalId: string, reason = 'Denied by a reviewer.'): boolean {
    return this.#settle(approvalId, false, reason);
  }

  pending(): ApprovalRequest[] {
    return [...this.#pending.values()].map((p) => ({ ...p.request }));
  }

  /** Refuses everything still waiting (the session is ending). */
  denyAll(reason: string): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, false, reason);
  }

  #policy(): SessionPolicy {
    return (this.#compiled ??= sessionPolicy(this.charter));
  }

  #deny(call: HookCall, reason: string): GuardDecision {
    this.events.blocked(call, reason);
    return { decision: 'deny', reason };
  }

  #askPerson(call: HookCall, reason: string): Promise<GuardDecision> {
    const request: ApprovalRequest = {
      approvalId: `approval-${randomUUID()}`,
      sessionId: this.sessionId,
      toolName: call.tool_name,
      input: call.tool_input ?? {},
      reason,
      requestedAt: new Date(),
    };
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => this.#settle(request.approvalId, false, `No approval within ${this.approvalTimeoutMs} ms; the call was denied.`),
        this.approvalTimeoutMs,
      );
      this.#pending.set(request.approvalId, {
        request,
        settle: (approved, why) => {
          clearTimeout(timer);
          this.events.approvalSettled(request, approved, why);
          resolve(approved ? { decision: 'allow' } : { decision: 'deny', reason: `Approval denied: ${why}` });
        },
      });
      this.events.approvalRequested(request);
    });
  }

  #settle(approvalId: string, approved: boolean, reason: string): boolean {
    const pending = this.#pending.get(approvalId);
    if (!pending) return false;
    this.#pending.delete(approvalId);
    pending.settle(approved, reason);
    return true;
  }
}
