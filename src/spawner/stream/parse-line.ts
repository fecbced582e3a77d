import type { StreamMessage } from './messages.js';

/** Parses one stream-json line; `undefined` for anything that is not a JSON object with a string `type`. */
export function parseLine(line: string): StreamMessage | undefined {
  if (line.charCodeAt(0) !== 123 /* { */) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string') {
      return value as StreamMessage;
    }
  } catch {
    // Not JSON: the caller counts it as malformed.
  }
  return undefined;
}
