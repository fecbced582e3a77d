import { accessSync, constants, statSync } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { ClaudeBinaryError, ErrorCodes, SpawnError } from '../session/errors.js';
import { ttlMemo } from '../utils/memo.js';

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

function pinnedBinary(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@anthropic-ai/claude-code/package.json');
    const candidate = join(dirname(pkg), 'bin', 'claude.exe');
    return isFile(candidate) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claude CLI versions the test suite runs against: the oldest supported (the pinned devDependency) and the
 * newest release, which CI installs by this entry and runs the real-CLI tests against.
 */
export const TESTED_CLAUDE_VERSIONS: readonly string[] = ['2.1.197', '2.1.328'];

/**
 * Finds the Claude CLI: an explicit path, then `VP_CLAUDE_PATH`, then `claude` on `PATH`,
 * then the pinned `@anthropic-ai/claude-code` binary in node_modules. Checks that it can be executed.
 */
export function resolveClaudePath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const named = explicit ?? env['VP_CLAUDE_PATH'];
  const path =
    named ??
    (env['PATH'] ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'claude'))
      .find(isFile) ??
    pinnedBinary();
  if (path === undefined || !isFile(path)) throw new ClaudeBinaryError(ErrorCodes.CLAUDE_NOT_FOUND, path ?? 'claude');
  try {
    accessSync(path, constants.X_OK);
  } catch (cause) {
    throw new ClaudeBinaryError(ErrorCodes.CLAUDE_NOT_EXECUTABLE, path, { cause });
  }
  return path;
}

/**
 * Checks that a script's `#!` interpreter exists and is executable (`/usr/bin/env X`: X on `pathEnv`).
 * Inside a sandbox the OS's refusal would only show as bwrap's exit code, so it is checked before the spawn.
 * @throws {SpawnError} naming the missing interpreter
 */
export function checkInterpreter(path: string, pathEnv = process.env['PATH'] ?? ''): Promise<void> {
  // A burst of starts checks the same CLI once.
  return checkedInterpreters(`${path}\0${pathEnv}`, () => readInterpreter(path, pathEnv));
}

const checkedInterpreters = ttlMemo<Promise<void>>(2000);

async function readInterpreter(path: string, pathEnv: string): Promise<void> {
  const file = await open(path, 'r');
  const head = Buffer.alloc(256);
  try {
    await file.read(head, 0, head.length, 0);
  } finally {
    await file.close();
  }
  const text = head.toString('latin1');
  if (!text.startsWith('#!')) return;
  const [interpreter = '', arg] = text.slice(2).split('\n')[0]!.trim().split(/\s+/);
  const runnable = (p: string): Promise<boolean> => access(p, constants.X_OK).then(() => true, () => false);
  const ok =
    interpreter.endsWith('/env') && arg !== undefined
      ? (await runnable(interpreter)) && (await Promise.all(pathEnv.split(delimiter).filter(Boolean).map((d) => runnable(join(d, arg))))).some(Boolean)
      : await runnable(interpreter);
  if (!ok) throw new SpawnError(`Could not start ${path}: its interpreter ${text.slice(2).split('\n')[0]!.trim()} cannot be run`);
}
