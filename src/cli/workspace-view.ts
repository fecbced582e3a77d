// How a session's workspace reads in a terminal. Pure.

/** A branch's or a tree's changes against its base, the way `git diff --shortstat` counts them. */
export interface ChangeCounts {
  filesChanged: readonly string[];
  insertions: number;
  deletions: number;
  commits?: number;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `3 files +12 -4, 2 commits`, or `no changes`. */
export function diffstat(changes: ChangeCounts): string {
  const commits = changes.commits === undefined ? '' : `, ${plural(changes.commits, 'commit')}`;
  if (changes.filesChanged.length === 0) return `no changes${commits}`;
  return `${plural(changes.filesChanged.length, 'file')} +${changes.insertions} -${changes.deletions}${commits}`;
}

/** The workspace part of a session line: `vp/T-1a2b (3 files +12 -4, 2 commits)`, or '' without one. */
export function branchLine(workspace: (ChangeCounts & { branch: string; error?: string }) | undefined): string {
  if (!workspace) return '';
  return `${workspace.branch} (${diffstat(workspace)})${workspace.error ? ` not delivered: ${workspace.error}` : ''}`;
}
