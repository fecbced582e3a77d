// The baseline: the binary, argv and environment the spawner itself used (read from /proc while its
// process ran), started with a bare child_process.spawn. Only the per-session ids are renewed.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { buildPrompt, SESSION_MARKER_VAR, type ClaudeSessionConfig } from '../src/index.js';
import { userMessageLine } from '../src/charter/prompt.js';

export interface Invocation {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The argv (after `command`) and environment of a live process started from `command`.
 * For a script run through a `#!` line, /proc shows the interpreter first; `command` is found in it.
 */
export function captureInvocation(pid: number, command: string): Invocation {
  const split = (file: string): string[] => readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0').slice(0, -1);
  const argv = split('cmdline');
  const at = argv.indexOf(command);
  if (at === -1) throw new Error(`cannot find ${command} in /proc/${pid}/cmdline: ${argv.join(' ').slice(0, 300)}`);
  const env = Object.fromEntries(split('environ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return { command, args: argv.slice(at + 1), env };
}

/** The same invocation for a new session: a fresh `--session-id` and session marker, nothing else changed. */
export function renew(inv: Invocation): Invocation {
  const args = [...inv.args];
  const at = args.indexOf('--session-id');
  if (at !== -1) args[at + 1] = randomUUID();
  return { command: inv.command, args, env: { ...inv.env, [SESSION_MARKER_VAR]: `claude-session-${randomUUID()}` } };
}

/** The stream-json user message the spawner writes for `config`. */
export const promptLine = (config: ClaudeSessionConfig): string => userMessageLine(buildPrompt(config));

export interface RawRun {
  /** ms from spawn() to the `exit` event. */
  totalMs: number;
  /** ms from spawn() to the `spawn` event (the process runs). */
  spawnedMs: number;
  /** ms from spawn() to the arrival of the `result` line. */
  resultMs: number;
  exitCode: number | null;
  lines: number;
  stderr: string;
}

/**
 * Runs one invocation like a minimal client: writes the user message, reads stdout until a
 * `"type":"result"` line, ends stdin and waits for `exit`. `parse` JSON.parses every line
 * (the ingestion baseline); otherwise lines are only searched for the result.
 */
export async function runRaw(inv: Invocation, cwd: string, stdinLine: string, parse: boolean, timeoutMs: number): Promise<RawRun> {
  const t0 = performance.now();
  const child = spawn(inv.command, inv.args, { cwd, env: inv.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  const closed = once(child, 'close');
  let spawnedMs = Number.NaN;
  child.once('spawn', () => {
    spawnedMs = performance.now() - t0;
  });
  const timer = setTimeout(() => process.kill(-(child.pid ?? 0), 'SIGKILL'), timeoutMs);
  let resultMs = Number.NaN;
  let lines = 0;
  let stderr = '';
  let rest = '';
  const decoder = new StringDecoder('utf8');
  const onLine = (line: string): void => {
    lines += 1;
    const isResult = parse ? (JSON.parse(line) as { type?: unknown }).type === 'result' : line.includes('"type":"result"');
    if (isResult) {
      resultMs = performance.now() - t0;
      child.stdin.end();
    }
  };
  child.stdin.on('error', () => undefined);
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (rest + decoder.write(chunk)).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) if (line.length > 0) onLine(line);
  });
  child.stdin.write(stdinLine);
  const [exitCode] = await exited;
  const totalMs = performance.now() - t0;
  clearTimeout(timer);
  // Outside the timing: kill what the CLI may have left in its group, let the pipes close.
  try {
    process.kill(-(child.pid ?? 0), 'SIGKILL');
  } catch {
    // The group is already gone.
  }
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  if (Number.isNaN(resultMs)) throw new Error(`raw run ended without a result (exit ${exitCode}): ${stderr.slice(-500)}`);
  return { totalMs, spawnedMs, resultMs, exitCode, lines, stderr };
}
