// Runs git without a shell and with a clean environment. Two flavours:
// - on the SOURCE repository (`repoGit`): the user's own config and hooks apply (they are trusted);
// - on a WORKSPACE (`workspaceGit`): its folders are written by an untrusted session, so git is told its git dir
//   and work tree explicitly (tree/.git is never read) and `-c` overrides disable everything in a repository that
//   can run a program. Callers sanitize the git dir first (see sanitize.ts).
import { execFile } from 'node:child_process';
import type { Workspace } from './types.js';

const MAX_BUFFER_BYTES = 64 * 1024 * 1024;

/** A git command exited non-zero (or could not start). Internal: it reaches callers as a `cause`. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    const detail = stderr.trim().split('\n').slice(-5).join(' / ').slice(0, 600);
    super(`git ${shownArgs(args).join(' ')} failed (${exitCode === null ? 'did not exit' : `exit ${exitCode}`}): ${detail}`, options);
    Object.defineProperty(this, 'name', { value: 'GitCommandError', enumerable: false });
  }
}

/** The command without the options every workspace command carries. */
function shownArgs(args: readonly string[]): string[] {
  const shown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-c') i++;
    else if (!arg.startsWith('--git-dir=') && !arg.startsWith('--work-tree=')) shown.push(arg);
  }
  return shown;
}

export interface GitOptions {
  cwd?: string;
  /** Added to the clean environment. */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Exit codes that are answers, not failures (e.g. 1 for `merge-base --is-ancestor`). @default [0] */
  okExitCodes?: readonly number[];
}

export interface GitResult {
  stdout: string;
  exitCode: number;
}

/** The daemon's environment without any `GIT_*` variable, with no system or global git config and no prompts. */
export function cleanGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.toUpperCase().startsWith('GIT_')) env[key] = value;
  }
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...extra };
}

export function runGit(args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  const ok = options.okExitCodes ?? [0];
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd: options.cwd, env: cleanGitEnv(options.env), maxBuffer: MAX_BUFFER_BYTES, signal: options.signal, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, exitCode: 0 });
        const code = typeof error.code === 'number' ? error.code : null;
        if (code !== null && ok.includes(code)) return resolve({ stdout, exitCode: code });
        reject(new GitCommandError(args, code, stderr || error.message, { cause: error }));
      },
    );
  });
}

/** Runs git; resolves with its stdout. */
export async function git(args: readonly string[], options: GitOptions = {}): Promise<string> {
  return (await runGit(args, options)).stdout;
}

/** Runs git in the user's repository (its config and hooks are trusted). */
export function repoGit(repository: string, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  return runGit(args, { ...options, cwd: repository });
}

/** Config that would let a workspace's own files run programs or change what git reports, switched off. */
export const WORKSPACE_CONFIG_OVERRIDES: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.untrackedCache=false',
  'core.splitIndex=false',
  'core.commitGraph=false',
  'core.multiPackIndex=false',
  'core.sparseCheckout=false',
  'commit.gpgSign=false',
  'diff.ignoreSubmodules=all',
  'submodule.recurse=false',
  'status.submoduleSummary=false',
  'advice.addEmbeddedRepo=false',
  'gc.auto=0',
  'maintenance.auto=false',
];

/** Runs git on a workspace: explicit git dir and work tree, every override of {@link WORKSPACE_CONFIG_OVERRIDES}. */
export function workspaceGit(ws: Pick<Workspace, 'gitDir' | 'path'>, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  const overrides = WORKSPACE_CONFIG_OVERRIDES.flatMap((setting) => ['-c', setting]);
  return runGit([`--git-dir=${ws.gitDir}`, `--work-tree=${ws.path}`, ...overrides, ...args], {
    ...options,
    cwd: ws.path,
    env: { GIT_NO_REPLACE_OBJECTS: '1', GIT_ATTR_NOSYSTEM: '1', ...options.env },
  });
}
