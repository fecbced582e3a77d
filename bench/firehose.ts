// Shared bits of the cases that run bench/fixtures/firehose.mjs as the "CLI".
import { accessSync, chmodSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../src/index.js';
import { repoRoot, sessionConfig } from './util.js';

export const FIREHOSE = join(repoRoot, 'bench/fixtures/firehose.mjs');

/** The fixture path, executable (a fresh checkout may have lost the mode bit). */
export function firehosePath(): string {
  try {
    accessSync(FIREHOSE, constants.X_OK);
  } catch {
    chmodSync(FIREHOSE, 0o755);
  }
  return FIREHOSE;
}

export interface FirehoseStats {
  bytes: number;
  lines: number;
  toolUses: number;
}

/** The stats line the fixture prints on stderr. */
export function parseStats(stderr: string): FirehoseStats {
  const match = /firehose bytes=(\d+) lines=(\d+) toolUses=(\d+)/.exec(stderr);
  if (!match) throw new Error(`firehose printed no stats: ${stderr.slice(-300)}`);
  return { bytes: Number(match[1]), lines: Number(match[2]), toolUses: Number(match[3]) };
}

/**
 * A session config that makes the fixture print `mb` MiB. The token budget is lifted: the
 * fixture reports realistic usage (tens of thousands of cache-read tokens per model call).
 */
export function firehoseConfig(cwd: string, mb: number, timeoutMs: number): ClaudeSessionConfig {
  const config = sessionConfig(cwd, 'Print everything.', timeoutMs);
  config.charter.resources.maxTokens = Number.MAX_SAFE_INTEGER;
  return { ...config, environmentVariables: { FIREHOSE_MB: String(mb) } };
}

/** Checks a spawner session saw the whole stream: completed, every tool_use counted. */
export function checkSession(final: ClaudeSessionStatus, stats: FirehoseStats): void {
  if (final.state !== 'completed') throw new Error(`firehose session ended ${final.state}: ${final.errorMessage ?? ''}`);
  const counted = Object.values(final.metrics.toolCalls).reduce((a, b) => a + b, 0);
  if (counted !== stats.toolUses) throw new Error(`spawner counted ${counted} tool calls, the fixture printed ${stats.toolUses}`);
  if (final.metrics.malformedLines !== 0) throw new Error(`spawner saw ${final.metrics.malformedLines} malformed lines`);
}
