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

/** How the CLI starts a `content_block_delta` stream-event line (its keys in the order it writes them). */
export const CONTENT_DELTA_PREFIX = '{"type":"stream_event","event":{"type":"content_block_delta"';

/**
 * True for a `stream_event` line that only carries a piece of streamed content (`content_block_delta`):
 * most lines of a partial-messages stream, with nothing the supervisor needs (usage comes in
 * `message_start` and `message_delta`). Lets the caller skip parsing them. A line written with other key
 * order is simply parsed as usual.
 */
export const isContentDeltaLine = (line: string): boolean => line.startsWith(CONTENT_DELTA_PREFIX);
