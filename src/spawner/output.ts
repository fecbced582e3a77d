import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** Keeps only the last `maxBytes` of a byte stream. */
export class TailBuffer {
  readonly #maxBytes: number;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    // Compact only when twice the limit is held, so pushes stay O(1) amortized.
    if (this.#size > this.#maxBytes * 2) this.#compact();
  }

  toString(): string {
    this.#compact();
    return Buffer.concat(this.#chunks).toString('utf8');
  }

  #compact(): void {
    if (this.#size <= this.#maxBytes) return;
    const all = Buffer.concat(this.#chunks);
    const kept = Buffer.from(all.subarray(all.length - this.#maxBytes));
    this.#chunks = [kept];
    this.#size = kept.length;
  }
}

/**
 * Writes a child's stream to a file with backpressure: when the file falls behind,
 * the source is paused, so a fast writer cannot grow the daemon's memory.
 */
export class OutputFile {
  readonly #stream: WriteStream;
  #failed = false;

  constructor(path: string) {
    this.#stream = createWriteStream(path, { flags: 'a' });
    this.#stream.on('error', () => {
      this.#failed = true;
    });
  }

  write(chunk: Buffer, source: Readable): void {
    if (this.#failed) return;
    if (!this.#stream.write(chunk)) {
      source.pause();
      this.#stream.once('drain', () => source.resume());
    }
  }

  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#failed || this.#stream.writableFinished) return resolve();
      this.#stream.end(() => resolve());
    });
  }
}
