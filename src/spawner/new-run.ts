import { buildPrompt, buildResumePrompt } from '../charter/prompt.js';
import { cliToolsFor } from '../charter/tools.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';
import { buildClaudeArgs } from './args.js';
import { wallClockMs, type DeadlineSettings } from './deadlines.js';
import { buildSessionEnv, secretValues } from './env.js';
import type { AttachedGuard } from './guard-attach.js';
import { freshStatus } from './metrics.js';
import type { FilledSpawnerOptions } from './options.js';
import type { Invocation } from './sandbox-invocation.js';
import { SessionRun } from './session.js';
import type { SpawnerEvents } from './types.js';

/** What a new run is made of, once its folder, guard and invocation exist. */
export interface RunParts {
  sessionId: string;
  claudeSessionId: string;
  cwd: string;
  invocation: Invocation;
  files: ClaudeSessionStatus['files'];
  env: Record<string, string>;
  guarded: AttachedGuard;
  /** Delivers the session's workspace at its end. */
  deliver?: ((status: ClaudeSessionStatus) => Promise<void>) | undefined;
  emit: <K extends keyof SpawnerEvents>(event: K, ...payload: SpawnerEvents[K]) => void;
  wants: (event: keyof SpawnerEvents) => boolean;
}

/** The deadlines of a session: its own settings, else the spawner's. */
export function deadlinesFor(o: FilledSpawnerOptions, config: ClaudeSessionConfig): DeadlineSettings {
  return {
    startupMs: config.startupTimeoutMs ?? o.startupTimeoutMs,
    idleMs: config.idleTimeoutMs ?? o.idleTimeoutMs,
    wallMs: wallClockMs(config.timeout, config.charter.resources.maxExecutionTime),
  };
}

/** The environment of a session: the inherited part of the daemon's, the spawner's and the session's extras. */
export function sessionEnv(o: FilledSpawnerOptions, sessionId: string, config: ClaudeSessionConfig): Record<string, string> {
  return buildSessionEnv({ base: process.env, inherit: o.inheritEnv, spawnerEnv: o.env, sessionEnv: config.environmentVariables, sessionId });
}

/** A session run with its first status and the CLI's argv (not started). */
export function createRun(o: FilledSpawnerOptions, config: ClaudeSessionConfig, parts: RunParts): SessionRun {
  const { env } = parts;
  const status = freshStatus({ sessionId: parts.sessionId, claudeSessionId: parts.claudeSessionId, state: 'initializing', files: parts.files });
  return new SessionRun({
    status,
    command: parts.invocation.command,
    args: [...parts.invocation.prefix, ...buildClaudeArgs({
      claudeSessionId: parts.claudeSessionId,
      resume: config.resumeClaudeSessionId !== undefined,
      charterFile: parts.guarded.charterPath,
      permissionMode: o.permissionMode,
      allowedTools: cliToolsFor(config.charter.resources.allowedTools),
      model: config.model,
      maxTurns: config.maxTurns,
      maxBudgetUsd: config.charter.resources.maxCostUsd,
      settings: parts.guarded.settings,
      extraArgs: o.extraArgs,
    })],
    cwd: parts.cwd,
    env,
    prompt: config.resumeClaudeSessionId === undefined ? buildPrompt(config) : buildResumePrompt(config),
    deadlines: deadlinesFor(o, config),
    killGraceMs: o.killGraceMs,
    tailBytes: o.outputTailBytes,
    maxTokens: config.charter.resources.maxTokens,
    maxCostUsd: config.charter.resources.maxCostUsd,
    secrets: secretValues(env),
    sandboxed: parts.invocation.prefix.length > 0,
    logger: o.logger,
    guard: parts.guarded.channel,
    ...(parts.deliver ? { deliver: parts.deliver } : {}),
    emit: parts.emit,
    wants: parts.wants,
  });
}
