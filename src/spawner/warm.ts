import { resolve } from 'node:path';
import { buildPrompt } from '../charter/prompt.js';
import { renderTaskBrief } from '../charter/render.js';
import type { ClaudeSessionConfig, SpawnResult } from '../session/types.js';

/** A Claude CLI process started ahead of time, waiting for its first message. */
export interface WarmSession {
  readonly sessionId: string;
  /** False once the process has died or been used or discarded. */
  readonly alive: boolean;
  /** Whether this process can carry a request (same folder, charter and CLI settings as its template). */
  matches(config: ClaudeSessionConfig): boolean;
  /** Hands the waiting process a task; it then runs as a normal session. */
  activate(config: ClaudeSessionConfig): SpawnResult;
  /** Stops the waiting process. */
  discard(): Promise<void>;
}

// JSON with RegExp written as their source, so charters compare by content.
const canonical = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (v instanceof RegExp ? String(v) : v));

/** True when a warm process started from `template` can run `config` unchanged. Pure. */
export function warmMatches(template: ClaudeSessionConfig, config: ClaudeSessionConfig): boolean {
  return (
    config.resumeClaudeSessionId === undefined &&
    // A warm process runs in its template's folder; a workspace session runs in a checkout made for it.
    config.workspace === undefined &&
    template.workspace === undefined &&
    resolve(template.workingDirectory) === resolve(config.workingDirectory) &&
    template.model === config.model &&
    template.maxTurns === config.maxTurns &&
    canonical(template.environmentVariables ?? {}) === canonical(config.environmentVariables ?? {}) &&
    canonical(template.charter) === canonical(config.charter)
  );
}

/** The first message of a warm session: the task brief (its charter was loaded without one), then the prompt. */
export const warmPrompt = (config: ClaudeSessionConfig): string =>
  `Session task brief (the rules of your charter are in your instructions):\n\n${renderTaskBrief(config)}\n${buildPrompt(config)}`;
