// Pure naming rules: default branch names, workspace folder names, branch conflicts.
import { createHash } from 'node:crypto';

const TASK_PART_MAX = 40;
const SLUG_PART_MAX = 60;

/** A task id made safe for a branch name: `[A-Za-z0-9._-]` only, no `..`, no leading or trailing `.` or `-`. */
export function sanitizeTaskId(taskId: string): string {
  const safe = taskId
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .slice(0, TASK_PART_MAX)
    .replace(/^[.-]+|[.-]+$/g, '');
  return safe || 'task';
}

/** `vp/<task>-<hex>`: the default branch of a task. */
export function defaultBranchName(taskId: string, hex: string): string {
  return `vp/${sanitizeTaskId(taskId)}-${hex}`;
}

/**
 * The workspace folder's name for a branch of a repository: the branch made safe for a path, then 8 hex of a
 * hash of repository and branch (so `a/b` and `a-b` differ, and one branch of one repository has one folder).
 */
export function workspaceSlug(repository: string, branch: string): string {
  const readable = branch.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, SLUG_PART_MAX) || 'workspace';
  const hash = createHash('sha256').update(`${repository}\0${branch}`).digest('hex').slice(0, 8);
  return `${readable}-${hash}`;
}

/** Cheap checks git's `check-ref-format --branch` would not make: no option-like or HEAD-like names. */
export function plainBranchName(branch: string): boolean {
  return branch.length > 0 && !branch.startsWith('-') && branch !== '@' && branch !== 'HEAD' && !/\s/.test(branch);
}

/**
 * The existing branch that `branch` cannot live beside: the same name, or one that is a folder of the other
 * (`a` blocks `a/b`, and `a/b` blocks `a`). Undefined when there is none.
 */
export function conflictingBranch(existing: Iterable<string>, branch: string): string | undefined {
  for (const name of existing) {
    if (name === branch || branch.startsWith(`${name}/`) || name.startsWith(`${branch}/`)) return name;
  }
  return undefined;
}
