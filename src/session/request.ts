import type { MemoryContext, VPCharter, WorkspaceSpec } from './types.js';

/**
 * A request for work, as the daemon receives it (from a task file, the control API or code).
 * The charter is given whole or by name (a charter file in the daemon's charter folder).
 */
export interface TriageRequest {
  /** Stable id; generated when missing. */
  requestId?: string;
  task: {
    id: string;
    description: string;
    relatedTasks?: string[];
    metadata?: Record<string, unknown>;
  };
  charter: VPCharter | string;
  workingDirectory: string;
  /** Free words: critical/urgent/asap/p0, high/important/p1, normal/medium/p2, low/whenever/p3. */
  urgency?: string;
  memory?: Partial<MemoryContext>;
  /** Wall-clock limit in ms. */
  timeout?: number;
  model?: string;
  maxTurns?: number;
  /** `'sandbox'` (default) or `'none'`: see the spawner's `isolation`. */
  isolation?: 'sandbox' | 'none';
  /** A git workspace of its own (see the session config's `workspace`); `'git'` takes every default. */
  workspace?: WorkspaceSpec | 'git';
}

/** A triage request whose charter has been resolved to an object. */
export type ResolvedTriageRequest = TriageRequest & { charter: VPCharter };

