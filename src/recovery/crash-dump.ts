import { randomUUID } from 'node:crypto';
import { lstat, mkdir, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { SECRET_NAME, redactText } from '../utils/redact.js';
import type { CrashAnalysis } from '../session/crash.js';
import type { ClaudeSessionStatus } from '../session/types.js';

/** Everything kept about one crash. Written as JSON, secrets redacted. */
export interface CrashDump {
  sessionId: string;
  timestamp: Date | string;
  analysis: CrashAnalysis;
  exitCode?: number | null;
  signal?: string | null;
  state: string;
  outcome?: unknown;
  stdoutTail: string;
  stderrTail: string;
  lastMessages: unknown[];
  timings: { startTime?: string; endTime?: string; executionTimeMs?: number };
  attempts: unknown[];
  config: unknown;
}

export interface PruneOptions {
  /** Keep at most this many dumps (newest first); `Infinity` for no limit. */
  maxFiles: number;
  /** Delete dumps whose mtime is older than this, in ms; `Infinity` for no limit. */
  maxAgeMs: number;
  /** The current time, epoch ms. @default Date.now() */
  nowMs?: number;
}

const PREFIX = 'crash-';
const SUFFIX = '.json';
const REDACTED = '[redacted]';

/**
 * The file name of a dump: `crash-<ISO time, ':' and '.' as '-'>-<session id>.json`. The session id is reduced to
 * `[A-Za-z0-9_-]` (runs of other characters become `_`, at most 80 characters), so it cannot leave the folder.
 */
export function crashDumpFileName(sessionId: string, timestamp: Date | string): string {
  const date = new Date(timestamp);
  const iso = (Number.isNaN(date.getTime()) ? new Date() : date).toISOString().replace(/[:.]/g, '-');
  const id = redactText(String(sessionId)).replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'session';
  return `${PREFIX}${iso}-${id}${SUFFIX}`;
}

/**
 * Writes one crash dump into `directory` (created with mode 0o700 if missing) and returns its absolute path.
 * The file (mode 0o600) is written to a temporary name in the same folder and renamed, so a reader never sees
 * half a dump. A dump with the same name gets a `-1`, `-2`, ... suffix instead of replacing the older one.
 *
 * Redaction: values under keys named like secrets (`SECRET_NAME`, e.g. `config.environmentVariables.API_KEY`) become
 * `[redacted]` (strings only: `maxTokens: 1000` stays), and every string and the final text go through `redactText`
 * with `options.secrets`. RegExp values are written as their source (`/deploy.*production/i`), Dates as ISO strings.
 */
export async function writeCrashDump(directory: string, dump: CrashDump, options: { secrets?: string[] } = {}): Promise<string> {
  const dir = resolve(directory);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // A secret containing quotes or backslashes appears escaped in JSON text; hide both forms.
  const secrets = (options.secrets ?? []).flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
  const text = `${redactText(JSON.stringify(toJson(dump, false, secrets, new WeakSet()), null, 2), secrets)}\n`;
  const name = crashDumpFileName(dump.sessionId, dump.timestamp);
  let target = '';
  for (let n = 0; ; n++) {
    target = resolve(dir, n === 0 ? name : `${name.slice(0, -SUFFIX.length)}-${n}${SUFFIX}`);
    const inside = relative(dir, target);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw new Error(`Crash dump path escapes its folder: ${target}`);
    if (!(await exists(target))) break;
  }
  const temp = join(dir, `.tmp-${randomUUID()}.crash`);
  try {
    await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return target;
}

/**
 * Deletes dumps older than `maxAgeMs` (by mtime) and the oldest beyond the newest `maxFiles`. Only files this module
 * writes are touched (`crash-*.json`, regular files). Returns how many were deleted; a missing folder counts 0.
 */
export async function pruneCrashDumps(directory: string, options: PruneOptions): Promise<number> {
  const { maxFiles, maxAgeMs, nowMs = Date.now() } = options;
  if (!(maxFiles >= 0) || (maxFiles !== Infinity && !Number.isInteger(maxFiles))) {
    throw new RangeError(`maxFiles must be an integer >= 0 or Infinity; got ${maxFiles}`);
  }
  if (!(maxAgeMs >= 0)) throw new RangeError(`maxAgeMs must be >= 0; got ${maxAgeMs}`);
  const dir = resolve(directory);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return 0;
    throw error;
  }
  const files: { path: string; mtimeMs: number }[] = [];
  for (const name of names) {
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) continue;
    const path = join(dir, name);
    const stats = await lstat(path).catch(() => undefined);
    if (stats?.isFile()) files.push({ path, mtimeMs: stats.mtimeMs });
  }
  // Newest first; names break ties (they start with the crash time).
  files.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.path < b.path ? 1 : a.path > b.path ? -1 : 0));
  let deleted = 0;
  for (const [index, file] of files.entries()) {
    if (index < maxFiles && nowMs - file.mtimeMs <= maxAgeMs) continue;
    try {
      await unlink(file.path);
      deleted++;
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error;
    }
  }
  return deleted;
}

/** A JSON-ready copy: secrets hidden, RegExp as source text, cycles cut. */
function toJson(value: unknown, secretKey: boolean, secrets: readonly string[], ancestors: WeakSet<object>): unknown {
  if (typeof value === 'string') return secretKey ? REDACTED : redactText(value, secrets);
  if (typeof value === 'bigint') return String(value);
  if (typeof value !== 'object' || value === null) return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (value instanceof RegExp) return toJson(String(value), secretKey, secrets, ancestors);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (ancestors.has(value)) return '[circular]';
  ancestors.add(value);
  try {
    const next = (v: unknown, key = ''): unknown => toJson(v, secretKey || SECRET_NAME.test(key), secrets, ancestors);
    if (Array.isArray(value)) return value.map((v) => next(v) ?? null);
    if (value instanceof Set) return [...value].map((v) => next(v) ?? null);
    let source: object = value;
    if (value instanceof Map) source = Object.fromEntries([...value].map(([k, v]) => [String(k), v as unknown]));
    else if (value instanceof Error) source = { ...value, name: value.name, message: value.message };
    else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return next((value as { toJSON: () => unknown }).toJSON());
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(source)) {
      const converted = next(v, key);
      if (converted !== undefined) out[redactText(key, secrets)] = converted;
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** What {@link saveCrashDump} writes about a crash. */
export interface CrashRecord {
  status: ClaudeSessionStatus;
  analysis: CrashAnalysis;
  attempts: unknown[];
  config: unknown;
}

/** Writes one crash's dump and prunes the folder; resolves with its path, or undefined when it could not be written. */
export async function saveCrashDump(directory: string, limits: { maxCrashDumps: number; crashDumpMaxAgeMs: number }, record: CrashRecord): Promise<string | undefined> {
  const { status } = record;
  try {
    const filepath = await writeCrashDump(directory, {
      sessionId: status.sessionId,
      timestamp: status.endTime ?? new Date(),
      analysis: record.analysis,
      exitCode: status.exitCode,
      signal: status.signal,
      state: status.state,
      outcome: status.outcome,
      stdoutTail: status.stdout.slice(-8000),
      stderrTail: status.stderr.slice(-8000),
      lastMessages: status.evidence?.lastMessages ?? [],
      timings: { startTime: status.startTime.toISOString(), endTime: status.endTime?.toISOString(), executionTimeMs: status.executionTime },
      attempts: record.attempts,
      config: record.config,
    });
    await pruneCrashDumps(directory, { maxFiles: limits.maxCrashDumps, maxAgeMs: limits.crashDumpMaxAgeMs });
    return filepath;
  } catch {
    // A dump that cannot be written must not stop recovery.
    return undefined;
  }
}
