import { StringDecoder } from 'node:string_decoder';

/** Longest line kept, in characters; longer lines are dropped and reported as oversized. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/**
 * Splits a byte stream into lines. Memory stays bounded: a line that grows past
 * `maxLineChars` is discarded up to its newline and reported once through `onOversized`.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #maxLineChars: number;
  // Text after the last newline seen so far.
  #rest = '';
  #skipping = false;

  constructor(maxLineChars = MAX_LINE_CHARS) {
    this.#maxLineChars = maxLineChars;
  }

  /** Feeds a chunk; calls `onLine` for each complete non-empty line. */
  push(chunk: Buffer, onLine: (line: string) => void, onOversized: () => void): void {
    const text = this.#decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      if (this.#skipping) {
        this.#skipping = false;
      } else {
        // A complete line can pass the limit without its unterminated part ever doing so.
        if (this.#rest.length + newline - start > this.#maxLineChars) onOversized();
        else {
          const line = this.#rest.length > 0 ? this.#rest + text.slice(start, newline) : text.slice(start, newline);
          if (line.length > 0) onLine(line);
        }
      }
      this.#rest = '';
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (this.#skipping) return;
    this.#rest = start === 0 ? this.#rest + text : text.slice(start);
    if (this.#rest.length > this.#maxLineChars) {
      this.#rest = '';
      this.#skipping = true;
      onOversized();
    }
  }

  /** Returns the unterminated last line, if any. */
  end(): string | undefined {
    const line = this.#rest + this.#decoder.end();
    this.#rest = '';
    return this.#skipping || line.length === 0 ? undefined : line;
  }
}
