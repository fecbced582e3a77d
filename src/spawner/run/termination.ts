import { signalFromExitCode, type StopReason } from '../outcome.js';
import { signalGroupExcept, signalProcess } from '../process-tree.js';

/** How the process ended. */
export interface ExitFacts {
  code: number | null;
  signal: string | null;
}

/** Stopping a session's process group, and the record of how the process ended. */
export class Termination {
  readonly #sandboxed: boolean;
  readonly #killGraceMs: number;
  #pid: number | undefined;
  #forceKillTimer: NodeJS.Timeout | undefined;
  #lingerTimer: NodeJS.Timeout | undefined;
  // The signal that ended the process itself (in a sandbox: bwrap, not the CLI), if one did.
  #outerSignal: NodeJS.Signals | null = null;
  /** Why the supervisor itself stopped the session; set once, by whichever path fires first. */
  stopReason: StopReason | undefined;
  /** Set once the process exited. */
  exit: ExitFacts | undefined;

  constructor(sandboxed: boolean, killGraceMs: number) {
    this.#sandboxed = sandboxed;
    this.#killGraceMs = killGraceMs;
  }

  /** The process to stop (the leader of its group). */
  attach(pid: number | undefined): void {
    this.#pid = pid;
  }

  /** False before the start and after the exit: a process that already exited keeps the end it had. */
  get stoppable(): boolean {
    return this.#pid !== undefined && this.exit === undefined;
  }

  /** SIGTERM to the group, then SIGKILL after the grace period (or SIGKILL at once). */
  stop(reason: StopReason | undefined, graceful: boolean): void {
    const pid = this.#pid;
    if (pid === undefined || this.exit !== undefined) return;
    if (reason !== undefined) this.stopReason ??= reason;
    if (!graceful) {
      signalProcess(-pid, 'SIGKILL');
      return;
    }
    // In a sandbox the process is bwrap: the group is signalled except bwrap, which then reports the CLI's end.
    if (this.#sandboxed) signalGroupExcept(pid, pid, 'SIGTERM');
    else signalProcess(-pid, 'SIGTERM');
    this.#forceKillTimer ??= setTimeout(() => signalProcess(-pid, 'SIGKILL'), this.#killGraceMs);
  }

  /** A CLI that does not exit after its last answer is stopped after the grace period (its outcome stays as answered). */
  linger(stop: () => void): void {
    this.#lingerTimer ??= setTimeout(stop, this.#killGraceMs);
  }

  /**
   * True when the session ran in a sandbox whose bwrap exited by itself (not by a signal). bwrap waits for the
   * sandbox's PID 1, and the kernel ends every process of a PID namespace before its PID 1 has exited: none of the
   * session's processes can be left, so there is nothing to look for in /proc.
   */
  get sandboxEmptied(): boolean {
    return this.#sandboxed && this.#outerSignal === null && this.exit !== undefined;
  }

  /** Records the exit; bwrap reports the CLI's death by signal n as exit code 128+n. */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.#outerSignal = signal;
    const inner = this.#sandboxed && signal === null ? signalFromExitCode(code) : undefined;
    this.exit = inner === undefined ? { code, signal } : { code: null, signal: inner };
    clearTimeout(this.#forceKillTimer);
    clearTimeout(this.#lingerTimer);
  }

  /** SIGKILL to whatever is left of the group. */
  killGroup(): void {
    if (this.#pid !== undefined) signalProcess(-this.#pid, 'SIGKILL');
  }
}
