import { copyFile, cp, mkdir, readdir, stat, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Files of a Claude config folder that carry the user's authentication. */
const AUTH_FILES = ['.credentials.json', '.claude.json'];

/**
 * Makes a private Claude config folder for one session (`CLAUDE_CONFIG_DIR`), so parallel sessions
 * never write the same `.claude.json`. The user's auth files are copied in (from `source`, default
 * `$CLAUDE_CONFIG_DIR` or `~/.claude`). Without `isolated`, `projects/` (the transcripts) is shared under the
 * state folder, so a later session can still `--resume` this one. With it (a sandboxed session), `projects/`
 * is the session's own, and the transcript of `resumeClaudeSessionId` is copied in: no session can read or
 * rewrite another one's conversation.
 */
export async function preparePerSessionConfigDir(input: {
  sessionDir: string;
  stateDir: string;
  source?: string;
  isolated?: boolean;
  resumeClaudeSessionId?: string;
}): Promise<string> {
  const dir = join(input.sessionDir, 'claude-config');
  const source = input.source ?? process.env['CLAUDE_CONFIG_DIR'] ?? join(homedir(), '.claude');
  const projects = join(input.stateDir, 'claude-projects');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const file of AUTH_FILES) {
    await copyFile(join(source, file), join(dir, file)).catch(() => undefined);
  }
  if (!input.isolated) {
    await mkdir(projects, { recursive: true, mode: 0o700 });
    await symlink(projects, join(dir, 'projects'), 'dir');
    return dir;
  }
  await mkdir(join(dir, 'projects'), { mode: 0o700 });
  if (input.resumeClaudeSessionId !== undefined) {
    const folders = await transcriptFolders(input.stateDir, join(source, 'projects'));
    await seedTranscript(folders, input.resumeClaudeSessionId, join(dir, 'projects'));
  }
  return dir;
}

/** Project folders (`projects/<cwd slug>`) that may hold transcripts: the source's, the shared store, every session's own. */
async function transcriptFolders(stateDir: string, sourceProjects: string): Promise<string[]> {
  const list = async (dir: string): Promise<string[]> => (await readdir(dir).catch(() => [])).map((name) => join(dir, name));
  const folders = [...(await list(sourceProjects)), ...(await list(join(stateDir, 'claude-projects')))];
  for (const session of await list(join(stateDir, 'sessions'))) folders.push(...(await list(join(session, 'claude-config', 'projects'))));
  return folders;
}

/** Copies the newest transcript of `claudeSessionId` (and its subagent folder) into `projects`. */
async function seedTranscript(folders: readonly string[], claudeSessionId: string, projects: string): Promise<void> {
  let newest: { folder: string; mtimeMs: number } | undefined;
  for (const folder of folders) {
    const info = await stat(join(folder, `${claudeSessionId}.jsonl`)).catch(() => undefined);
    if (info && (!newest || info.mtimeMs > newest.mtimeMs)) newest = { folder, mtimeMs: info.mtimeMs };
  }
  if (!newest) return;
  const slug = newest.folder.slice(newest.folder.lastIndexOf('/') + 1);
  await mkdir(join(projects, slug), { recursive: true, mode: 0o700 });
  await copyFile(join(newest.folder, `${claudeSessionId}.jsonl`), join(projects, slug, `${claudeSessionId}.jsonl`));
  await cp(join(newest.folder, claudeSessionId), join(projects, slug, claudeSessionId), { recursive: true }).catch(() => undefined);
}
