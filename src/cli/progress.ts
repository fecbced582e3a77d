import type { ClaudeSessionStatus } from '../session/types.js';

/** One line describing a session's progress. Pure. */
export function progressLine(s: Pick<ClaudeSessionStatus, 'state' | 'tokenUsage' | 'metrics' | 'costUsd'>, elapsedMs: number, lastTool?: string): string {
  const seconds = (elapsedMs / 1000).toFixed(1);
  const tool = lastTool ? `  last: ${lastTool.length > 60 ? `${lastTool.slice(0, 57)}...` : lastTool}` : '';
  return `${s.state.padEnd(13)} ${seconds.padStart(6)}s  tokens ${String(s.tokenUsage.total).padStart(7)}  $${s.costUsd.toFixed(4)}  commands ${s.metrics.commandsExecuted}  files ${s.metrics.filesModified}${tool}`;
}

/** Exit code of `vp-daemon run` for a final state: 0 only when the session completed. */
export function exitCodeFor(state: string): number {
  switch (state) {
    case 'completed':
      return 0;
    case 'failed':
      return 1;
    case 'crashed':
      return 3;
    case 'timeout':
      return 4;
    case 'terminated':
      return 5;
    default:
      return 1;
  }
}

/**
 * Writes progress: on a terminal the line is redrawn in place, elsewhere each change is a plain line
 * (and repeated lines are skipped, so logs stay short).
 */
export class ProgressView {
  #last = '';
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly live = Boolean(out.isTTY),
  ) {}

  update(line: string): void {
    if (line === this.#last) return;
    this.#last = line;
    if (this.live) this.out.write(`\r\x1b[2K${line}`);
    else this.out.write(`${line}\n`);
  }

  /** A line that stays (an event), printed above the live line. */
  note(line: string): void {
    if (this.live) this.out.write(`\r\x1b[2K${line}\n${this.#last}`);
    else this.out.write(`${line}\n`);
  }

  done(): void {
    if (this.live) this.out.write('\n');
  }
}
