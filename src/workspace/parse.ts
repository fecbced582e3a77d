// Pure parsers of git's output.

/** What `git diff --numstat -z --no-renames` says: paths sorted, binary files counted 0/0. */
export function parseNumstat(output: string): { filesChanged: string[]; insertions: number; deletions: number } {
  const files = new Set<string>();
  let insertions = 0;
  let deletions = 0;
  for (const record of output.split('\0')) {
    const match = /^(-|\d+)\t(-|\d+)\t([\s\S]+)$/.exec(record);
    if (!match) continue;
    const [, added = '-', removed = '-', path = ''] = match;
    files.add(path);
    if (added !== '-') insertions += Number(added);
    if (removed !== '-') deletions += Number(removed);
  }
  return { filesChanged: [...files].sort(), insertions, deletions };
}

/** What `git ls-tree -r -l -z` lists: the size of each blob (gitlinks have none). */
export function parseLsTreeSizes(output: string): number[] {
  const sizes: number[] = [];
  for (const record of output.split('\0')) {
    const match = /^\d+ \w+ [0-9a-f]+ +(-|\d+)\t/.exec(record);
    if (match) sizes.push(match[1] === '-' ? 0 : Number(match[1]));
  }
  return sizes;
}

const BLOCK_BYTES = 4096;
/** Room for the git dir, the index and the manifest. */
const FIXED_MARGIN_BYTES = 64 * 1024;
const INDEX_ENTRY_BYTES = 128;

/** Bytes a checkout of files of these sizes takes: each rounded up to a block, plus the index and a margin. */
export function estimateCheckoutBytes(sizes: readonly number[]): number {
  let total = FIXED_MARGIN_BYTES;
  for (const size of sizes) total += Math.ceil(size / BLOCK_BYTES) * BLOCK_BYTES + INDEX_ENTRY_BYTES;
  return Math.ceil(total * 1.05);
}

/** What a `HEAD` file names: a ref (`ref: refs/heads/x`) or a commit id; undefined for anything else. */
export function parseHeadFile(text: string): { ref: string } | { commit: string } | undefined {
  const ref = /^ref: (refs\/heads\/[^\s]+)\s*$/.exec(text);
  if (ref?.[1]) return { ref: ref[1] };
  const commit = /^([0-9a-f]{40}|[0-9a-f]{64})\s*$/.exec(text);
  return commit?.[1] ? { commit: commit[1] } : undefined;
}

/** Paths in `git status --porcelain -z` output (renames give both). */
export function parsePorcelainPaths(output: string): string[] {
  return output
    .split('\0')
    .filter((record) => record.length > 0)
    .map((record) => (/^.. /.test(record) ? record.slice(3) : record));
}
