// How a session's workspace reads in a terminal. Pure.
import { diffstat, type ChangeCounts } from '../workspace/diffstat.js';

/** The workspace part of a session line: `vp/T-1a2b (3 files +12 -4, 2 commits)`, or '' without one. */
export function branchLine(workspace: (ChangeCounts & { branch: string; error?: string }) | undefined): string {
  if (!workspace) return '';
  return `${workspace.branch} (${diffstat(workspace)})${workspace.error ? ` not delivered: ${workspace.error}` : ''}`;
}
