// The exec guard: an LD_PRELOAD shim (native/exec-guard.c) that asks the daemon before a sandboxed session runs a
// program its charter names. This module finds the built library and writes the shim's config.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileForbiddenCommand } from '../charter/policy/index.js';
import { ConfigError, ErrorCodes } from '../session/errors.js';

/** The limits of the shim's config parser (native/exec-guard.c): beyond them the shim denies every exec. */
const MAX_NAMES = 128;
const MAX_NAME_BYTES = 127;
const MAX_SOCKET_BYTES = 107;

/**
 * The built shim, `dist/native/exec-guard.so` in the package root (found from this module, whether it runs from
 * src/sandbox under tsx or from dist/sandbox), or undefined when it was not built (no C compiler at build time).
 */
export function execGuardLibraryPath(): string | undefined {
  const path = fileURLToPath(new URL('../../dist/native/exec-guard.so', import.meta.url));
  return existsSync(path) ? path : undefined;
}

/**
 * The program-name fragments the shim filters on: the program word of each forbidden command (`rm -rf` → rm)
 * and the first word of each required-approval term (`npm publish` → npm). Only execs whose program name (or,
 * for an interpreter, an operand) contains one of them are sent to the daemon.
 */
export function execGuardNames(constraints: { forbiddenCommands: readonly string[]; requiredApprovals: readonly string[] }): string[] {
  const names = [
    ...constraints.forbiddenCommands.map((rule) => compileForbiddenCommand(rule)?.program),
    ...constraints.requiredApprovals.map((term) => term.trim().split(/\s+/)[0]),
  ];
  return [...new Set(names.filter((n): n is string => n !== undefined && n !== '').map((n) => n.toLowerCase()))];
}

const oneLine = (value: string): boolean => !/[\r\n\0]/.test(value);
const bytes = (value: string): number => Buffer.byteLength(value, 'utf8');

/**
 * The shim's config file: `socket`, `token`, one `name` per fragment, and `timeout` (ms the shim waits for an
 * answer, which may be a person's approval; the shim's default is one hour). Throws a ConfigError
 * (ERR_INVALID_OPTION) for values the shim would reject, since the shim then denies every exec.
 */
export function renderExecGuardConfig(input: { socketPath: string; token: string; names: readonly string[]; timeoutMs?: number }): string {
  const issues: { field: string; message: string; value: unknown }[] = [];
  const { socketPath, token, names, timeoutMs } = input;
  if (!socketPath.startsWith('/') || !oneLine(socketPath) || bytes(socketPath) > MAX_SOCKET_BYTES) {
    issues.push({ field: 'socketPath', message: `must be an absolute path of at most ${MAX_SOCKET_BYTES} bytes on one line`, value: socketPath });
  }
  if (!/^[0-9a-fA-F]{1,128}$/.test(token)) issues.push({ field: 'token', message: 'must be 1 to 128 hex digits', value: token });
  if (names.length > MAX_NAMES) issues.push({ field: 'names', message: `at most ${MAX_NAMES} names`, value: names.length });
  names.forEach((name, i) => {
    if (name.trim() !== name || name === '' || !oneLine(name) || bytes(name) > MAX_NAME_BYTES) {
      issues.push({ field: `names.${i}`, message: `must be 1 to ${MAX_NAME_BYTES} bytes, one line, no surrounding spaces`, value: name });
    }
  });
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0 && timeoutMs <= 999_999_999)) {
    issues.push({ field: 'timeoutMs', message: 'must be a positive whole number of milliseconds below 1e9', value: timeoutMs });
  }
  if (issues.length > 0) throw new ConfigError(issues, ErrorCodes.INVALID_OPTION);
  const lines = [`socket ${socketPath}`, `token ${token}`, ...names.map((name) => `name ${name}`)];
  if (timeoutMs !== undefined) lines.push(`timeout ${timeoutMs}`);
  return `${lines.join('\n')}\n`;
}
