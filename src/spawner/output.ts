import { createWriteStream, writeSync, type WriteStream } from 'node:fs';
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

// Chunks are written in batches: every file with pending chunks is flushed by one shared timer (or at
// once past FLUSH_BYTES), so hundreds of sessions cost a few writes per interval instead of one per chunk.
// The interval is longer than a CLI's pause between lines: at 50 ms, a session printing ten lines a second
// still cost a write (and two thread-pool wakeups) per line. The files trail the stream by at most this
// much while a session runs, and are complete once it has ended.
const FLUSH_INTERVAL_MS = 1000;
const FLUSH_BYTES = 64 * 1024;
const dirty = new Set<OutputFile>();
let flushTimer: NodeJS.Timeout | undefined;

function flushDirty(): void {
  flushTimer = undefined;
  for (const file of dirty) file.flush();
}

// A daemon that exits (process.exit, a fatal error) still writes what it had read.
let exitFlushInstalled = false;
function flushDirtySync(): void {
  for (const file of dirty) file.flushSync();
}

/**
 * Writes a child's stream to a file, batched (see above), with backpressure: when the file falls behind,
 * the source is paused, so a fast writer cannot grow the daemon's memory.
 */
export class OutputFile {
  readonly #stream: WriteStream;
  #failed = false;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  readonly #source: Readable;

  constructor(path: string, source: Readable) {
    this.#source = source;
    this.#stream = createWriteStream(path, { flags: 'a' });
    this.#stream.on('error', () => {
      this.#failed = true;
      dirty.delete(this);
    });
  }

  write(chunk: Buffer): void {
    if (this.#failed) return;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= FLUSH_BYTES) return this.flush();
    dirty.add(this);
    flushTimer ??= setTimeout(flushDirty, FLUSH_INTERVAL_MS).unref();
    if (!exitFlushInstalled) {
      exitFlushInstalled = true;
      process.on('exit', flushDirtySync);
    }
  }

  /** At exit: writes the pending chunks synchronously, unless an earlier write is still in flight (it would land after them). */
  flushSync(): void {
    dirty.delete(this);
    const { fd } = this.#stream as WriteStream & { fd?: number | null };
    if (this.#pending.length === 0 || this.#failed || typeof fd !== 'number' || this.#stream.writableLength > 0) return;
    try {
      writeSync(fd, Buffer.concat(this.#pending));
    } catch {
      // The process is ending; nothing else can be done.
    }
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Hands the pending chunks to the file in one write. */
  flush(): void {
    dirty.delete(this);
    if (this.#pending.length === 0 || this.#failed) return;
    const chunks = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (!this.#stream.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))) {
      this.#source.pause();
      this.#stream.once('drain', () => this.#source.resume());
    }
  }

  end(): Promise<void> {
    this.flush();
    return new Promise((resolve) => {
      if (this.#failed || this.#stream.writableFinished) return resolve();
      this.#stream.end(() => resolve());
    });
  }
}
