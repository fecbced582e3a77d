import type { FleetLedger } from '../fleet/ledger.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';
import type { Logger } from '../utils/logger.js';

/** What a fleet job needs of its daemon. */
export interface FleetJobHost {
  readonly stateDir: string;
  readonly workspacesRoot: string;
  readonly ledger: FleetLedger;
  readonly node: string;
  /** The git remote the workspaces' branches are pushed to (a remote's name in the repository, or a URL). */
  readonly remote: string;
  readonly leaseMs: number;
  readonly logger: Logger;
  /** Runs `config` in this node's pool. */
  enqueue(config: ClaudeSessionConfig, settle: { allocated: (sessionId: string) => void; resolve: (status: ClaudeSessionStatus) => void; reject: (error: Error) => void }): void;
  status(sessionId: string): ClaudeSessionStatus | null;
  /** Stops the request's session here at once (its lease is lost). */
  stop(): void;
}

/** What a takeover continues from: the pushed work's commit, and the conversation's restored transcript. */
export interface Resumed {
  head?: string;
  claudeSessionId?: string;
  transcriptBytes?: number;
}
