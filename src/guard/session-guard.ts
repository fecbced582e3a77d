import { randomUUID } from 'node:crypto';
import { checkToolCall } from '../charter/policy/index.js';
import type { VPCharter } from '../spawner/types.js';
import { matchRequiredApproval } from './approvals.js';
import type { GuardDecision, HookCall } from './channel.js';

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

  constructor(
    private readonly sessionId: string,
    private readonly charter: VPCharter,
    private readonly approvalTimeoutMs: number,
    private readonly events: GuardEvents,
  ) {}

  async decide(call: HookCall): Promise<GuardDecision> {
    const input = call.tool_input ?? {};
    if (this.events.isOverBudget()) return this.#deny(call, 'The session has used its token budget and is being stopped.');
    const verdict = checkToolCall(call.tool_name, input, this.charter.constraints);
    if (!verdict.allowed) return this.#deny(call, verdict.reason);
    const term = matchRequiredApproval(call.tool_name, input, this.charter.constraints.requiredApprovals);
    if (term === undefined) return { decision: 'allow' };
    return this.#askPerson(call, `matches required approval "${term}"`);
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
