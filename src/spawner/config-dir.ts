import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Files of a Claude config folder that carry the user's authentication. */
const AUTH_FILES = ['.credentials.json', '.claude.json'];

/**
 * Makes a private Claude config folder for one session (`CLAUDE_CONFIG_DIR`), so parallel sessions
 * never write the same `.claude.json`. The user's auth files are copied in (from `source`, default
 * `$CLAUDE_CONFIG_DIR` or `~/.claude`), and `projects/` (the transcripts) is shared under the state
 * folder, so a later session can still `--resume` this one.
 */
export async function preparePerSessionConfigDir(input: { sessionDir: string; stateDir: string; source?: string }): Promise<string> {
  const dir = join(input.sessionDir, 'claude-config');
  const source = input.source ?? process.env['CLAUDE_CONFIG_DIR'] ?? join(homedir(), '.claude');
  const projects = join(input.stateDir, 'claude-projects');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(projects, { recursive: true, mode: 0o700 });
  await symlink(projects, join(dir, 'projects'), 'dir');
  for (const file of AUTH_FILES) {
    await copyFile(join(source, file), join(dir, file)).catch(() => undefined);
  }
  return dir;
}
