import { CONTENT_DELTA_PREFIX } from './parse-line.js';

const PREFIX = Buffer.from(CONTENT_DELTA_PREFIX, 'utf8');
const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;

/**
 * Removes the `content_block_delta` stream-event lines from a byte stream, across chunk boundaries.
 *
 * With `--include-partial-messages` the CLI streams the model's text and tool input a few characters a
 * line. Redaction matches whole secret values, so a secret the model writes would pass the redaction split
 * over several delta lines; the complete text follows in the assistant message, where it is redacted. So
 * what listeners (`session-output`) and the status tails see leaves the deltas out; stdout.jsonl keeps them.
 * Byte-level and O(chunk): only the first bytes of each line are compared, and a chunk that loses nothing
 * is passed on as it is. A line start that might still become a delta line is held back until it is known.
 */
export class ContentDeltaFilter {
  #state: 'start' | 'keep' | 'drop' = 'start';
  // The start of the current line while it matches the prefix so far (only in state `start`).
  #pending: Buffer = EMPTY;

  /** The part of `chunk` to show. */
  push(chunk: Buffer): Buffer {
    const kept: Buffer[] = [];
    const n = chunk.length;
    // False while the output is exactly `chunk`: nothing held, dropped or added.
    let changed = false;
    let i = 0;
    while (i < n) {
      if (this.#state !== 'start') {
        const nl = chunk.indexOf(NEWLINE, i);
        const end = nl === -1 ? n : nl + 1;
        if (this.#state === 'keep') kept.push(chunk.subarray(i, end));
        else changed = true;
        if (nl !== -1) this.#state = 'start';
        i = end;
        continue;
      }
      let j = i;
      let k = this.#pending.length;
      while (j < n && k < PREFIX.length && chunk[j] === PREFIX[k]) {
        j += 1;
        k += 1;
      }
      if (k === PREFIX.length) {
        this.#pending = EMPTY;
        this.#state = 'drop';
        changed = true;
        i = j;
      } else if (j === n) {
        this.#pending = Buffer.concat([this.#pending, chunk.subarray(i)]);
        changed = true;
        i = n;
      } else {
        // Not a delta line: what was held goes out first, then the line from `i` on.
        if (this.#pending.length > 0) {
          kept.push(this.#pending);
          changed = true;
        }
        this.#pending = EMPTY;
        this.#state = 'keep';
      }
    }
    if (!changed) return chunk;
    return kept.length === 0 ? EMPTY : Buffer.concat(kept);
  }
}
