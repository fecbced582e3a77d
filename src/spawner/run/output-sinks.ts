import type { Logger } from '../../utils/logger.js';
import { redactText } from '../../utils/redact.js';
import type { SessionMetrics } from '../../session/types.js';
import { OutputFile, TailBuffer } from '../output.js';
import type { AgentProcess } from './process-start.js';
import { ContentDeltaFilter } from '../stream/content-delta-filter.js';
import { LineSplitter } from '../stream/line-splitter.js';
import type { SpawnerEvents } from '../types.js';

/** Where a session's output goes, and who hears about it. */
export interface OutputSinksInit {
  sessionId: string;
  files: { stdout: string; stderr: string };
  tailBytes: number;
  secrets: string[];
  logger: Logger;
  metrics: SessionMetrics;
  emit: <K extends keyof SpawnerEvents>(event: K, ...payload: SpawnerEvents[K]) => void;
  wants: (event: keyof SpawnerEvents) => boolean;
  /** Every complete stdout line. */
  onLine: (line: string) => void;
  /** Any stdout at all (the idle deadline). */
  onActivity: () => void;
}

/** The files, tails, listeners and line splitting of a session's stdout and stderr. */
export class OutputSinks {
  readonly #init: OutputSinksInit;
  readonly #stdoutTail: TailBuffer;
  readonly #stderrTail: TailBuffer;
  readonly #splitter = new LineSplitter();
  // stdout as listeners and the tail see it: without the content deltas of partial messages (see the filter).
  readonly #shownStdout = new ContentDeltaFilter();
  #child: AgentProcess | undefined;
  #stdoutFile: OutputFile | undefined;
  #stderrFile: OutputFile | undefined;

  constructor(init: OutputSinksInit) {
    this.#init = init;
    this.#stdoutTail = new TailBuffer(init.tailBytes);
    this.#stderrTail = new TailBuffer(init.tailBytes);
  }

  /** Opens the files and listens to the process's pipes. */
  attach(child: AgentProcess): void {
    this.#child = child;
    this.#stdoutFile = new OutputFile(this.#init.files.stdout, child.stdout);
    this.#stderrFile = new OutputFile(this.#init.files.stderr, child.stderr);
    child.stdout.on('data', (chunk: Buffer) => this.#onStdout(chunk));
    child.stderr.on('data', (chunk: Buffer) => this.#onStderr(chunk));
    // The launcher hands the streams over paused, so that nothing arrives before these listeners.
    child.stdout.resume();
    child.stderr.resume();
  }

  #onStdout(chunk: Buffer): void {
    const { emit, wants, secrets, sessionId } = this.#init;
    this.#stdoutFile?.write(chunk);
    const shown = this.#shownStdout.push(chunk);
    if (shown.length > 0) this.#stdoutTail.push(shown);
    this.#init.onActivity();
    if (shown.length > 0 && wants('session-output')) {
      emit('session-output', { sessionId, type: 'stdout', data: redactText(shown.toString('utf8'), secrets) });
    }
    this.#splitter.push(chunk, this.#init.onLine, () => this.malformed('line too long'));
  }

  #onStderr(chunk: Buffer): void {
    const { emit, wants, secrets, sessionId } = this.#init;
    this.#stderrFile?.write(chunk);
    this.#stderrTail.push(chunk);
    if (wants('session-output')) emit('session-output', { sessionId, type: 'stderr', data: redactText(chunk.toString('utf8'), secrets) });
  }

  /** Counts a stdout line that is not a stream-json message (the first few are logged). */
  malformed(line: string): void {
    const metrics = this.#init.metrics;
    metrics.malformedLines += 1;
    if (metrics.malformedLines <= 5) {
      this.#init.logger.warn({ sessionId: this.#init.sessionId, line: redactText(line.slice(0, 200)) }, 'malformed stream-json line');
    }
  }

  /** Hands on a last line that had no newline. */
  flushLines(): void {
    const last = this.#splitter.end();
    if (last !== undefined) this.#init.onLine(last);
  }

  /** Stops reading the pipes and flushes the files. */
  async close(): Promise<void> {
    this.#child?.stdout.destroy();
    this.#child?.stderr.destroy();
    await Promise.all([this.#stdoutFile?.end(), this.#stderrFile?.end()]);
  }

  /** The kept ends of stdout and stderr, secrets redacted. */
  tails(): { stdout: string; stderr: string } {
    const { secrets } = this.#init;
    return { stdout: redactText(this.#stdoutTail.toString(), secrets), stderr: redactText(this.#stderrTail.toString(), secrets) };
  }
}
