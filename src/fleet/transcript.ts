// A session's Claude transcript mirrored into the fleet's store as it grows (fenced, like every write of a lease),
// and restored on the node that takes the request over, so `--resume` continues the same conversation there.
import { open, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FleetLease, FleetLedger } from './ledger.js';

/** At most this much of a transcript goes to Redis in one write. */
const CHUNK_BYTES = 1024 * 1024;

/** The folder name Claude Code gives a working directory under `projects/`. */
export const projectSlug = (cwd: string): string => cwd.replace(/[^a-zA-Z0-9]/g, '-');

/** The transcript file of `claudeSessionId` in a `projects/` folder of Claude's, or undefined while there is none. */
export async function findTranscript(projects: string, claudeSessionId: string): Promise<string | undefined> {
  for (const folder of await readdir(projects).catch(() => [] as string[])) {
    const file = join(projects, folder, `${claudeSessionId}.jsonl`);
    if (await stat(file).then((s) => s.isFile(), () => false)) return file;
  }
  return undefined;
}

/** Copies what a transcript file gained since the last sync into the fleet's store. */
export class TranscriptMirror {
  readonly #ledger: FleetLedger;
  readonly #lease: FleetLease;
  readonly #claudeSessionId: string;
  readonly #file: () => Promise<string | undefined>;
  #mirroredBytes = 0;

  /** `mirroredBytes`: how much of the file the mirror holds already (a transcript restored from it). */
  constructor(ledger: FleetLedger, lease: FleetLease, claudeSessionId: string, file: () => Promise<string | undefined>, mirroredBytes = 0) {
    this.#mirroredBytes = mirroredBytes;
    this.#ledger = ledger;
    this.#lease = lease;
    this.#claudeSessionId = claudeSessionId;
    this.#file = file;
  }

  get mirroredBytes(): number {
    return this.#mirroredBytes;
  }

  /** Mirrors the file up to its current end; 'fenced' when a newer lease holds the request (nothing was written). */
  async sync(): Promise<'ok' | 'fenced'> {
    const file = await this.#file();
    if (file === undefined) return 'ok';
    const handle = await open(file, 'r');
    try {
      for (;;) {
        const { size } = await handle.stat();
        // Rewritten shorter (never seen; handled): mirrored again from its start.
        if (size < this.#mirroredBytes) this.#mirroredBytes = 0;
        if (size === this.#mirroredBytes) return 'ok';
        const length = Math.min(CHUNK_BYTES, size - this.#mirroredBytes);
        const chunk = Buffer.alloc(length);
        const { bytesRead } = await handle.read(chunk, 0, length, this.#mirroredBytes);
        // Whole lines only (the CLI may be halfway through one), unless a single line fills a whole chunk.
        const end = bytesRead < CHUNK_BYTES ? chunk.lastIndexOf(10, bytesRead - 1) + 1 : bytesRead;
        if (end === 0) return 'ok';
        const result = await this.#ledger.appendTranscript(this.#lease, this.#claudeSessionId, this.#mirroredBytes, chunk.subarray(0, end));
        if (result === 'fenced') return 'fenced';
        this.#mirroredBytes = result === 'gap' ? 0 : result;
      }
    } finally {
      await handle.close();
    }
  }
}

/**
 * Writes the mirrored transcript of `claudeSessionId` into the `projects/` folder a session started in `cwd` reads
 * it from for `--resume`. The bytes restored (0: there was none).
 */
export async function restoreTranscript(ledger: FleetLedger, requestId: string, claudeSessionId: string, projects: string, cwd: string): Promise<number> {
  const bytes = await ledger.transcript(requestId, claudeSessionId);
  if (bytes === undefined || bytes.length === 0) return 0;
  const folder = join(projects, projectSlug(cwd));
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await writeFile(join(folder, `${claudeSessionId}.jsonl`), bytes, { mode: 0o600 });
  return bytes.length;
}
