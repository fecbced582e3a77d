import { z } from 'zod';
import { PRIORITIES } from '../session/priority.js';
import type { ClaudeSessionConfig, SessionPriority } from '../session/types.js';
import { validate } from '../utils/validate.js';
import { patternProblem } from './policy/patterns.js';
import { ALLOWED_TOOL_ENTRY_MESSAGE, isAllowedToolEntry } from './tools.js';

const text = z.string().min(1, 'must be a non-empty string');
const ms = z.number().int('must be whole milliseconds').nonnegative('must be >= 0');

/** A forbidden pattern: a RegExp that RE2 can run (linear time; no lookaround or backreferences). */
export const linearPattern = z.instanceof(RegExp, { message: 'must be a RegExp' }).superRefine((pattern, ctx) => {
  const problem = patternProblem(pattern);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: pattern });
});

export const charterSchema = z.object({
  identity: z.object({ name: text, email: z.string(), role: text }),
  objectives: z.array(z.string()),
  constraints: z.object({
    forbiddenCommands: z.array(text),
    forbiddenPatterns: z.array(linearPattern),
    requiredApprovals: z.array(text),
  }),
  resources: z.object({
    maxTokens: z.number().int().positive('must be a positive integer'),
    maxCostUsd: z.number().positive('must be a positive number of US dollars').optional(),
    maxExecutionTime: ms,
    allowedTools: z.array(z.string().refine(isAllowedToolEntry, { message: ALLOWED_TOOL_ENTRY_MESSAGE })),
  }),
  isolation: z.enum(['sandbox', 'none']).optional(),
});

/** `isolation` of a session, a charter or a task file. */
export const isolationSchema = z.enum(['sandbox', 'none']);

/** `workspace` of a session config (a task file may also say `workspace: git`, every default). */
export const workspaceSchema = z.strictObject({
  repository: text.optional(),
  baseRef: text.optional(),
  branch: text.optional(),
  keep: z.enum(['never', 'on-failure', 'always']).optional(),
  path: text.optional(),
});

export const sessionConfigSchema = z.object({
  workingDirectory: text,
  charter: charterSchema,
  taskContext: z.object({
    taskId: text,
    description: z.string(),
    priority: z.enum(PRIORITIES as [SessionPriority, ...SessionPriority[]]),
    relatedTasks: z.array(z.string()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  }),
  memory: z.object({
    recentActions: z.array(z.object({ timestamp: z.union([z.date(), z.string()]), action: z.string(), result: z.string() })),
    conversationHistory: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.string() })),
    preferences: z.record(z.string(), z.unknown()),
    projectContext: z.record(z.string(), z.unknown()),
  }),
  timeout: ms.optional(),
  environmentVariables: z.record(z.string(), z.string()).optional(),
  model: text.optional(),
  maxTurns: z.number().int().positive().optional(),
  startupTimeoutMs: ms.optional(),
  idleTimeoutMs: ms.optional(),
  resumeClaudeSessionId: z.uuid().optional(),
  verbose: z.boolean().optional(),
  isolation: isolationSchema.optional(),
  workspace: workspaceSchema.optional(),
});

/** Validates a session config before anything is written or spawned. */
export function validateSessionConfig(config: unknown): ClaudeSessionConfig {
  validate(sessionConfigSchema, config);
  // The caller's object is kept (RegExp and Date instances intact); only its shape was checked.
  return config as ClaudeSessionConfig;
}
