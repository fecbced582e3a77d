import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError } from '../session/errors.js';
import type { WorkspaceSpec } from '../session/types.js';
import { defaultBranchName } from './naming.js';
import type { ResolvedSpec } from './types.js';

const KEEP = ['never', 'on-failure', 'always'] as const;

/**
 * Fills in a workspace spec's defaults: `repository` = the working directory (a relative one is taken from
 * it), `baseRef` = `'HEAD'`, `branch` = `vp/<taskId>-<4 hex>`, `keep` = `'on-failure'`. Touches no file;
 * throws a `ConfigError` for an empty string or an unknown `keep`.
 */
export function resolveWorkspaceSpec(spec: WorkspaceSpec | 'git', ctx: { workingDirectory: string; taskId: string }): ResolvedSpec {
  const given: WorkspaceSpec = spec === 'git' ? {} : spec;
  const issues: { field: string; message: string; value: unknown }[] = [];
  for (const key of ['repository', 'baseRef', 'branch'] as const) {
    const value = given[key];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      issues.push({ field: `workspace.${key}`, message: 'must be a non-empty string', value });
    }
  }
  if (given.keep !== undefined && !KEEP.includes(given.keep)) {
    issues.push({ field: 'workspace.keep', message: `must be one of ${KEEP.join(', ')}`, value: given.keep });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    repository: resolve(ctx.workingDirectory, given.repository ?? '.'),
    baseRef: given.baseRef ?? 'HEAD',
    branch: given.branch ?? defaultBranchName(ctx.taskId, randomBytes(2).toString('hex')),
    keep: given.keep ?? 'on-failure',
  };
}
