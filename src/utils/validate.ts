import type { z } from 'zod';
import { ConfigError, ErrorCodes } from '../session/errors.js';

// Reads the value at a zod issue path, to show the user what they passed.
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Validates with a zod schema; throws a {@link ConfigError} naming each field and the value given. */
export function validate<T>(
  schema: z.ZodType<T>,
  input: unknown,
  code: typeof ErrorCodes.INVALID_CONFIG | typeof ErrorCodes.INVALID_OPTION = ErrorCodes.INVALID_CONFIG,
): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
      message: issue.message,
      value: valueAt(input, issue.path),
    })),
    code,
  );
}
