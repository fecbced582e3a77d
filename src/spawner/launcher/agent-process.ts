import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { StdioName } from './protocol.js';

/** Events of an agent process started through the launcher, as `ChildProcess` names them. */
interface AgentProcessEvents {
  exit: [code: number | null, signal: NodeJS.Signals | null];
  close: [];
  /** EventEmitter's own, before a listener is added. */
  newListener: [event: string | symbol, listener: unknown];
}

/** An agent process: its pid, its three streams (paused until read), its end. */
export class AgentProcess extends EventEmitter<AgentProcessEvents> {
  readonly pid: number;
  readonly stdin: Socket;
  readonly stdout: Socket;
  readonly stderr: Socket;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #delivered = false;
  #open = 2;
  #kept = true;
  readonly #onKeep: (delta: number) => void;

  constructor(pid: number, streams: Record<StdioName, Socket>, onKeep: (delta: number) => void) {
    super();
    this.pid = pid;
    this.stdin = streams.stdin;
    this.stdout = streams.stdout;
    this.stderr = streams.stderr;
    this.#onKeep = onKeep;
    onKeep(1);
    // A stream with nothing to read may have closed already (the agent exited at once).
    for (const s of [this.stdout, this.stderr]) {
      if (s.closed) this.#open -= 1;
      else s.once('close', () => this.#closed());
    }
  }

  /** Whether the process and its streams keep the event loop alive (they do until `unref`). */
  ref(): void {
    this.#keep(true);
  }

  unref(): void {
    this.#keep(false);
  }

  #keep(on: boolean): void {
    for (const s of [this.stdin, this.stdout, this.stderr]) void (on ? s.ref() : s.unref());
    if (on === this.#kept || this.#exit) return;
    this.#kept = on;
    this.#onKeep(on ? 1 : -1);
  }

  /**
   * Reported by the launcher once. An end that comes before anyone listens (the agent exited at once,
   * before the caller of `spawn` got the process) is held until an `exit` listener is added.
   */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exit) return;
    if (this.#kept) this.#onKeep(-1);
    this.#exit = { code, signal };
    if (this.listenerCount('exit') > 0) return this.#deliver();
    const onListener = (event: string | symbol): void => {
      if (event !== 'exit') return;
      this.off('newListener', onListener);
      queueMicrotask(() => this.#deliver());
    };
    this.on('newListener', onListener);
  }

  #deliver(): void {
    if (this.#delivered || !this.#exit) return;
    this.#delivered = true;
    this.emit('exit', this.#exit.code, this.#exit.signal);
    this.#closed(0);
  }

  #closed(step = 1): void {
    this.#open -= step;
    if (this.#open === 0 && this.#delivered) this.emit('close');
  }
}
