import { createWriteStream, writeSync, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';

// The tail copies chunks into blocks of its own: a pipe's chunks are small (one line each, often), and each
// kept as it came would hold its own ArrayBuffer, at about four times its bytes in memory. A block's size
// doubles with what is held, from MIN_BLOCK_BYTES up to MAX_BLOCK_BYTES, so a quiet stream holds little.
const MIN_BLOCK_BYTES = 1024;
const MAX_BLOCK_BYTES = 16 * 1024;

/** Keeps only the last `maxBytes` of a byte stream, in at most `maxBytes` plus two blocks of memory. */
export class TailBuffer {
  readonly #maxBytes: number;
  // Full blocks, oldest first, then the one being filled (`#used` bytes of it).
  #full: Buffer[] = [];
  #fullBytes = 0;
  #current: Buffer | undefined;
  #used = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The bytes the tail holds (at least the last `maxBytes` pushed, when there were as many). */
  get heldBytes(): number {
    return this.#fullBytes + this.#used;
  }

  push(chunk: Buffer): void {
    let from = Math.max(0, chunk.length - this.#maxBytes);
    while (from < chunk.length) {
      if (this.#current === undefined || this.#used === this.#current.length) this.#nextBlock();
      const block = this.#current as Buffer;
      const copied = chunk.copy(block, this.#used, from);
      this.#used += copied;
      from += copied;
    }
    // Whole old blocks go once the newer bytes alone cover the limit.
    while (this.#full.length > 0 && this.heldBytes - (this.#full[0] as Buffer).length >= this.#maxBytes) {
      this.#fullBytes -= (this.#full.shift() as Buffer).length;
    }
  }

  toString(): string {
    const held = this.#current ? [...this.#full, this.#current.subarray(0, this.#used)] : this.#full;
    const all = Buffer.concat(held);
    return all.toString('utf8', Math.max(0, all.length - this.#maxBytes));
  }

  #nextBlock(): void {
    if (this.#current) {
      this.#full.push(this.#current);
      this.#fullBytes += this.#current.length;
    }
    const size = Math.min(MAX_BLOCK_BYTES, Math.max(MIN_BLOCK_BYTES, this.#fullBytes));
    // Not from the shared pool: a pooled slice would keep the pool's whole slab alive.
    this.#current = Buffer.allocUnsafeSlow(size);
    this.#used = 0;
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
