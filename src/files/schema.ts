// Zod schemas of task and charter files. Unknown keys are errors. The charter's parts are taken from
// `charterSchema`, so a file's charter obeys exactly the rules a session's charter does.
import { z } from 'zod';
import { patternProblem } from '../charter/policy/patterns.js';
import { charterSchema, sessionConfigSchema, workspaceSchema } from '../charter/schema.js';
import type { FileIssue } from '../session/errors.js';
import type { SourceFile } from './source.js';

const text = z.string().min(1, 'must be a non-empty string');
const ms = z.number().int('must be whole milliseconds').nonnegative('must be >= 0');

/** Turns a `/source/flags` string into a RegExp; returns the problem as a string when it is not one. */
export function parsePattern(written: string): RegExp | string {
  const end = written.lastIndexOf('/');
  if (!written.startsWith('/') || end <= 0) return "must be written as '/regex/flags', e.g. '/deploy.*production/i'";
  const source = written.slice(1, end);
  if (source === '') return 'must not be an empty pattern';
  let pattern: RegExp;
  try {
    pattern = new RegExp(source, written.slice(end + 1));
  } catch (error) {
    return `is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
  return patternProblem(pattern) ?? pattern; // the same rule as a session's charter: linear-time matching only
}

const patternSchema = z.string().transform((written, ctx) => {
  const pattern = parsePattern(written);
  if (typeof pattern !== 'string') return pattern;
  ctx.addIssue({ code: 'custom', message: pattern, input: written });
  return z.NEVER;
});

const { identity, objectives, constraints, resources } = charterSchema.shape;

/** A charter as written in a file: `forbiddenPatterns` are `/regex/flags` strings and become RegExp. */
export const charterFileSchema = z.strictObject({
  identity: z.strictObject(identity.shape),
  objectives,
  constraints: z.strictObject({ ...constraints.shape, forbiddenPatterns: z.array(patternSchema) }),
  resources: z.strictObject(resources.shape),
  isolation: charterSchema.shape.isolation,
});

const memory = sessionConfigSchema.shape.memory.shape;

/** A task file. `charter` (a name or a charter map) is checked on its own, see `checkCharterField`. */
export const taskFileSchema = z.strictObject({
  requestId: text.optional(),
  task: z.strictObject({
    id: text,
    description: text,
    relatedTasks: z.array(text).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  }),
  charter: z.unknown().refine((value) => value !== undefined, 'is required'),
  workingDirectory: text,
  urgency: z.string().optional(),
  memory: z
    .strictObject({
      recentActions: memory.recentActions.optional(),
      conversationHistory: memory.conversationHistory.optional(),
      preferences: memory.preferences.optional(),
      projectContext: memory.projectContext.optional(),
    })
    .optional(),
  timeout: ms.optional(),
  model: text.optional(),
  maxTurns: z.number().int().positive('must be a positive integer').optional(),
  isolation: charterSchema.shape.isolation,
  workspace: z.union([z.literal('git'), workspaceSchema]).optional(),
});

const NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a map',
  record: 'a map',
  array: 'a list',
  date: 'a date',
};

// Messages for zod's own issues; the schemas' custom messages take precedence.
const messages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined ? 'is required' : `must be ${NOUNS[issue.expected] ?? issue.expected}`;
  }
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  return undefined;
};

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Validates `data` (the value at `prefix` in `source`) and returns the result, or every problem with its
 * place in the file. Unknown keys are reported one by one, at the key.
 */
export function check<T>(
  schema: z.ZodType<T>,
  source: SourceFile,
  prefix: readonly PropertyKey[] = [],
): { ok: true; value: T } | { ok: false; issues: FileIssue[] } {
  const data = valueAt(source.data, prefix);
  const parsed = schema.safeParse(data, { error: messages });
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.flatMap((issue): FileIssue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ ...source.at([...path, key], { key: true }), ...field([...path, key]), message: 'is not a known field', value: valueAt(source.data, [...path, key]) }));
    }
    return [{ ...source.at(path), ...field(path), message: issue.message, value: valueAt(source.data, path) }];
  });
  return { ok: false, issues };
}

const field = (path: readonly PropertyKey[]): { field?: string } => (path.length > 0 ? { field: path.map(String).join('.') } : {});

/** Issues in file order. */
export const byPosition = (a: FileIssue, b: FileIssue): number => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
