import type { ClaudeSessionStatus } from '../session/types.js';
import type { StreamMessage } from './stream/messages.js';

/** Events of {@link ClaudeSessionSpawner}. */
export interface SpawnerEvents {
  /** The process started. */
  'session-spawned': [{ sessionId: string; pid: number; claudeSessionId: string }];
  /** A raw chunk of stdout or stderr, as it arrived. */
  'session-output': [{ sessionId: string; type: 'stdout' | 'stderr'; data: string }];
  /** One parsed stream-json message. */
  'session-message': [{ sessionId: string; message: StreamMessage }];
  /** A deadline fired; the session is being stopped and will end `timeout`. */
  'session-timeout': [{ sessionId: string; kind: 'wall' | 'startup' | 'idle' }];
  /** A tool call matched `requiredApprovals` and waits for `approve(approvalId)` or `deny(approvalId)`. */
  'approval-requested': [{ sessionId: string; approvalId: string; toolName: string; input: Record<string, unknown>; reason: string }];
  /** A waiting tool call was approved, denied, or timed out (denied). */
  'approval-resolved': [{ sessionId: string; approvalId: string; approved: boolean; reason: string }];
  /** The guard refused a tool call (forbidden command or pattern, or budget). */
  'tool-blocked': [{ sessionId: string; toolName: string; input: Record<string, unknown>; reason: string }];
  /**
   * The session has used 80 % of its token budget (`kind: 'tokens'`) or of its cost budget (`kind: 'cost'`).
   * Each kind fires at most once per session; the token figures are always filled.
   */
  'budget-warning': [
    {
      sessionId: string;
      kind: 'tokens' | 'cost';
      usedTokens: number;
      maxTokens: number;
      /** Cost so far in USD (the running turn estimated). */
      usedCostUsd: number;
      /** `charter.resources.maxCostUsd`, when set. */
      maxCostUsd?: number;
    },
  ];
  /** The session reached a final state. Emitted exactly once per session. */
  'session-ended': [{ sessionId: string; status: ClaudeSessionStatus }];
}
