import type { ClaudeSessionConfig, ClaudeSessionStatus } from './types.js';

/**
 * The config of an attempt that continues `previous` (a retry, or a resume after a restart): the same work,
 * the conversation `resumeClaudeSessionId` when given (a fresh start drops an earlier one), and, when the session
 * has a workspace, the same workspace with its files and commits.
 */
export function continuedConfig(
  config: ClaudeSessionConfig,
  previous: Pick<Partial<ClaudeSessionStatus>, 'workspace'> | undefined,
  resumeClaudeSessionId: string | undefined,
): ClaudeSessionConfig {
  const next: ClaudeSessionConfig = { ...config, resumeClaudeSessionId };
  const ws = previous?.workspace;
  if (config.workspace && ws) {
    // The base is the commit the first attempt started from, whatever `baseRef` names by now.
    next.workspace = { repository: ws.repository, baseRef: ws.baseCommit, branch: ws.branch, keep: ws.keep, path: ws.path };
  }
  return next;
}
