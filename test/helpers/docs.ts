// The command lines the README and the `--help` texts show, and a copy of the checkout to run them in.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './fixtures.js';

/** The repository this test runs in. */
export const REPO = join(import.meta.dirname, '..', '..');

/** A command line as printed, and where. */
export interface DocLine {
  source: string;
  text: string;
}

// A command with at least one argument: `vp-daemon` alone is the command's name in a sentence.
const COMMAND = /^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:npx\s+)?(?:vp-daemon|npm)\s+\S/;

/** Command lines of README.md: each line of a bash block, and each inline code span that is a command. */
export function readmeLines(readme: string): DocLine[] {
  const lines: DocLine[] = [];
  const fenced = /^```(\w*)\n([\s\S]*?)^```/gm;
  for (const [, lang, body] of readme.matchAll(fenced)) {
    if (!['bash', 'sh', 'shell'].includes(lang ?? '')) continue;
    for (const line of (body ?? '').split('\n')) {
      if (line.trim() !== '' && !line.trim().startsWith('#')) lines.push({ source: 'README.md (bash block)', text: line.trim() });
    }
  }
  for (const [, span] of readme.replace(fenced, '').matchAll(/`([^`\n]+)`/g)) {
    if (span !== undefined && COMMAND.test(span)) lines.push({ source: 'README.md (inline)', text: span });
  }
  return lines;
}

/** The lines under `Example:` / `Examples:` of a help text. */
export function helpExamples(command: string, help: string): DocLine[] {
  const [, examples = ''] = /^Examples?:\n((?: {2}.*\n?)+)/m.exec(help) ?? [];
  return examples.split('\n').filter((l) => l.trim() !== '').map((l) => ({ source: `vp-daemon ${command} --help`.replace('  ', ' '), text: l.trim() }));
}

/** The `vp-daemon` subcommands a line runs, in order. */
export const subcommands = (text: string): string[] => [...text.matchAll(/(?:^|[\s;&|])vp-daemon\s+([a-z]+)/g)].map((m) => m[1] ?? '');

/** A copy of the checkout: its examples and package.json, with dist/ and node_modules/ linked, and `vp-daemon` on PATH. */
export interface Checkout {
  root: string;
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/**
 * Makes the copy. `.git` marks its root (the charter lookup stops there). `vp-daemon` runs this checkout's
 * sources (as `test/helpers/cli.ts` does); `npx vp-daemon` runs its build, as npm resolves a package's own bin.
 */
export function makeCheckout(baseEnv: NodeJS.ProcessEnv): Checkout {
  const dir = tempDir('vp-docs-');
  const root = dir.path;
  mkdirSync(join(root, '.git'));
  cpSync(join(REPO, 'examples'), join(root, 'examples'), { recursive: true, filter: (src) => basename(src) !== '.vp-daemon' });
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(REPO, 'dist'), join(root, 'dist'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  mkdirSync(join(root, '.bin'));
  const tsx = fileURLToPath(import.meta.resolve('tsx'));
  const main = join(REPO, 'src', 'cli', 'main.ts');
  writeFileSync(join(root, '.bin', 'vp-daemon'), `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${main}" "$@"\n`, { mode: 0o755 });
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    PATH: `${join(root, '.bin')}:${baseEnv['PATH'] ?? ''}`,
    VP_DAEMON_PORT: '0', // any free port: the printed commands use the default one
    npm_config_offline: 'true', // npx must find the package's own bin, never the registry
    npm_config_update_notifier: 'false',
  };
  delete env['VP_DAEMON_CHARTERS'];
  return { root, env, remove: dir.remove };
}

/** The outcome of a shell line. */
export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `text` with bash in `cwd` (`-e -o pipefail`, so a failing part fails the line). */
export function shell(text: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<ShellResult> {
  const { child, result } = startShell(text, cwd, env);
  const timer = setTimeout(() => stopGroup(child, 'SIGKILL'), timeoutMs);
  return result.finally(() => clearTimeout(timer));
}

/** Starts `text` with bash in a process group of its own; bash replaces itself by a simple command. */
export function startShell(text: string, cwd: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; result: Promise<ShellResult> } {
  const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', text], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<ShellResult>((resolve) => {
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
  return { child, output: () => stdout + stderr, result };
}

/** Signals a started shell's whole process group; ignores one that is gone. */
export function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** A client of the daemon whose state folder is `stateDir` (its address and token are in there). */
export function daemonApi(stateDir: string): { get: <T>(path: string) => Promise<T>; post: <T>(path: string, body?: unknown) => Promise<T> } {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const { url } = JSON.parse(readFileSync(join(stateDir, 'daemon.json'), 'utf8')) as { url: string };
    const token = readFileSync(join(stateDir, 'api-token'), 'utf8').trim();
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body ?? {}) };
}
