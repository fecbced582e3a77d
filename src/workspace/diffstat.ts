// How a branch's changes read in one line. Pure.

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
