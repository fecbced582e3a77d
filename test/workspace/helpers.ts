// Real git repositories in temporary folders for the workspace tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';

/** An environment with no git config of this machine and no inherited GIT_* variable. */
export function testGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('GIT_')) env[key] = value;
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C', ...extra };
}

const USER = ['-c', 'user.name=Repo Owner', '-c', 'user.email=owner@example.com', '-c', 'init.defaultBranch=main'];

/** Runs git in `cwd` as the repository's owner; returns trimmed stdout. */
export function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', [...USER, ...args], { cwd, env: testGitEnv(env), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A temporary folder removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'vp-ws-'): string {
  const path = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(path, { recursive: true, force: true }));
  return path;
}

/** Writes files (making folders) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

/** A repository at `<parent>/repo` on `main` with one commit of `files`. */
export function makeRepo(parent: string, files: Record<string, string | Buffer> = { 'README.md': 'hello\n', 'src/app.txt': 'one\ntwo\n' }, name = 'repo'): string {
  const repo = join(parent, name);
  mkdirSync(repo);
  git(repo, ['init', '--quiet']);
  writeFiles(repo, files);
  git(repo, ['add', '--all']);
  git(repo, ['commit', '--quiet', '-m', 'initial']);
  return repo;
}

/** What would show a write to a repository. */
export interface RepoSnapshot {
  status: string;
  head: string;
  refs: string;
  index: string;
  indexMtime: string;
  config: string;
  worktrees: string;
  fetchHead: string;
}

/** Everything that would show a write to the repository: status, HEAD, refs, index (content and mtime), config, worktrees, FETCH_HEAD. */
export function repoSnapshot(repo: string): RepoSnapshot {
  const gitDir = git(repo, ['rev-parse', '--absolute-git-dir']);
  const hash = (path: string) => {
    try {
      return createHash('sha256').update(readFileSync(path)).digest('hex');
    } catch {
      return 'missing';
    }
  };
  return {
    status: git(repo, ['status', '--porcelain', '--untracked-files=all', '--ignored'], { GIT_OPTIONAL_LOCKS: '0' }),
    head: git(repo, ['rev-parse', 'HEAD']),
    refs: git(repo, ['for-each-ref', '--format=%(refname) %(objectname)']),
    index: hash(join(gitDir, 'index')),
    indexMtime: String(statSync(join(gitDir, 'index'), { throwIfNoEntry: false })?.mtimeMs ?? 'missing'),
    config: hash(join(gitDir, 'config')),
    worktrees: git(repo, ['worktree', 'list', '--porcelain']),
    fetchHead: hash(join(gitDir, 'FETCH_HEAD')),
  };
}

/** Folder names under `dir`. */
export function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Runs git in `cwd` as a session would: no user config at all, only `env` (e.g. `gitIdentityEnv`). */
export function sessionGit(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd, env: testGitEnv(env), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}
