import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { ClaudeBinaryError, ErrorCodes } from '../errors.js';

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
