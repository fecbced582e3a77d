// The only git config a workspace's git dir ever holds: rendered here, rewritten before every supervisor command.

/** The object format of a repository whose commits have ids like `commit` (40 hex: sha1, 64: sha256). */
export function objectFormatOf(commit: string): 'sha1' | 'sha256' {
  return commit.length === 64 ? 'sha256' : 'sha1';
}

/** The content of a workspace's `git/config`. No work tree is named: git takes it from `tree/.git`. */
export function renderGitConfig(objectFormat: 'sha1' | 'sha256'): string {
  const lines = [
    '[core]',
    `\trepositoryformatversion = ${objectFormat === 'sha1' ? 0 : 1}`,
    '\tfilemode = true',
    '\tbare = false',
    '\tlogallrefupdates = true',
    ...(objectFormat === 'sha1' ? [] : ['[extensions]', `\tobjectformat = ${objectFormat}`]),
    '[gc]',
    '\tauto = 0',
    '[maintenance]',
    '\tauto = false',
  ];
  return `${lines.join('\n')}\n`;
}
