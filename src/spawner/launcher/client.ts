import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SpawnError } from '../../session/errors.js';
import { signalProcess } from '../process-tree.js';
import { AgentProcess } from './agent-process.js';
import { parseHello, type BeatRequest, type LauncherReport, type SpawnRequest, type StdioName } from './protocol.js';

export { AgentProcess } from './agent-process.js';

const MAX_HELLO_BYTES = 256;

interface Pending {
  streams: Partial<Record<StdioName, Socket>>;
  resolve: (process: AgentProcess) => void;
  reject: (error: Error) => void;
  pid?: number;
  // An end reported before every stream was connected.
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

// The launcher's entry point next to this file (main.ts when run from the sources through tsx).
const mainPath = fileURLToPath(new URL(`./main${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
const mainArgs = mainPath.endsWith('.ts') ? ['--import', 'tsx', mainPath] : [mainPath];

/**
 * The daemon's side of the launcher: starts it on first use, restarts it if it dies, and hands out
 * {@link AgentProcess}es whose streams come straight from the agent over a Unix socket (no copy through
 * the launcher). It keeps the event loop alive only while an agent that is kept alive runs.
 */
export class Launcher {
  #proc: ChildProcess | undefined;
  #server: Server | undefined;
  #dir: string | undefined;
  readonly #token = randomBytes(16).toString('hex');
  readonly #pending = new Map<number, Pending>();
  readonly #live = new Map<number, AgentProcess>();
  #nextId = 1;
  #kept = 0;
  #watchMs: number | undefined;
  #beat: NodeJS.Timeout | undefined;

  /**
   * With `timeoutMs`, every agent is SIGKILLed (by the launcher, a process of its own) once this process's event
   * loop has not beaten for that long: a stalled daemon's sessions end within that time. Undefined turns it off.
   */
  watchHeartbeat(timeoutMs: number | undefined): void {
    this.#watchMs = timeoutMs;
    clearInterval(this.#beat);
    this.#beat = undefined;
    if (timeoutMs !== undefined) {
      this.#beat = setInterval(() => this.#send({ type: 'beat', timeoutMs }), Math.max(50, Math.floor(timeoutMs / 4)));
      this.#beat.unref();
    }
    if (this.#proc) this.#send({ type: 'beat', ...(timeoutMs !== undefined && { timeoutMs }) });
  }

  #send(request: BeatRequest): void {
    this.#proc?.stdin?.write(`${JSON.stringify(request)}\n`);
  }

  /** Starts `command`; rejects with a {@link SpawnError} if the OS refuses. */
  async spawn(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<AgentProcess> {
    const socketPath = await this.#listen();
    const proc = this.#launcher();
    const id = this.#nextId++;
    const request: SpawnRequest = { type: 'spawn', id, command, args, cwd, env, socketPath, token: this.#token };
    return new Promise<AgentProcess>((resolve, reject) => {
      this.#pending.set(id, { streams: {}, resolve, reject });
      this.#setKept(1);
      proc.stdin?.write(`${JSON.stringify(request)}\n`);
    }).finally(() => this.#setKept(-1));
  }

  /** Stops the launcher once no agent runs (agents already started keep running). */
  close(): void {
    this.#proc?.stdin?.end();
    this.#server?.close();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#proc = undefined;
    this.#server = undefined;
    this.#dir = undefined;
  }

  async #listen(): Promise<string> {
    if (this.#server && this.#dir) return join(this.#dir, 'stdio.sock');
    // Socket paths are limited to ~107 bytes: a short private folder.
    const dir = mkdtempSync(join(tmpdir(), 'vpl-'));
    const socketPath = join(dir, 'stdio.sock');
    const server = createServer((socket) => this.#accept(socket));
    this.#server = server;
    this.#dir = dir;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, resolve);
    });
    server.unref();
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return socketPath;
  }

  #launcher(): ChildProcess {
    if (this.#proc) return this.#proc;
    const proc = spawn(process.execPath, mainArgs, { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#proc = proc;
    proc.unref();
    // A launcher that died mid-write: its end is handled by 'exit' below.
    proc.stdin?.on('error', () => undefined);
    this.#refControl(proc);
    createInterface({ input: proc.stdout }).on('line', (line) => this.#report(JSON.parse(line) as LauncherReport));
    proc.once('exit', () => this.#launcherGone(proc));
    proc.once('error', () => this.#launcherGone(proc));
    if (this.#watchMs !== undefined) this.#send({ type: 'beat', timeoutMs: this.#watchMs });
    return proc;
  }

  // The launcher's pipes keep the loop alive while a kept agent runs or a spawn waits: its reports are due.
  #refControl(proc: ChildProcess | undefined = this.#proc): void {
    for (const pipe of [proc?.stdin, proc?.stdout] as ({ ref(): void; unref(): void } | null | undefined)[]) {
      if (this.#kept > 0) pipe?.ref();
      else pipe?.unref();
    }
  }

  #setKept(delta: number): void {
    this.#kept += delta;
    if (this.#kept === 0 || this.#kept === delta) this.#refControl();
  }

  #accept(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const newline = head.indexOf(10);
      if (newline === -1) return void (head.length > MAX_HELLO_BYTES && socket.destroy());
      socket.off('data', onData);
      socket.pause();
      const rest = head.subarray(newline + 1);
      if (rest.length > 0) socket.unshift(rest);
      const hello = parseHello(head.subarray(0, newline).toString('utf8'), this.#token);
      const pending = hello && this.#pending.get(hello.id);
      if (!hello || !pending || pending.streams[hello.stream]) return void socket.destroy();
      pending.streams[hello.stream] = socket;
      this.#settle(hello.id);
    };
    socket.on('data', onData);
  }

  #report(report: LauncherReport): void {
    const pending = this.#pending.get(report.id);
    if (report.type === 'exit') {
      if (pending) return void (pending.exit = { code: report.code, signal: report.signal });
      const agent = this.#live.get(report.id);
      this.#live.delete(report.id);
      return agent?.exited(report.code, report.signal);
    }
    if (!pending) return;
    if (report.type === 'spawned') {
      pending.pid = report.pid;
      return this.#settle(report.id);
    }
    this.#pending.delete(report.id);
    for (const s of Object.values(pending.streams)) s.destroy();
    const cause = Object.assign(new Error(report.message), { code: report.code });
    pending.reject(new SpawnError(`Could not start the agent: ${report.message}`, { cause }));
  }

  // A spawn is done once the launcher reported the pid and all three streams are connected.
  #settle(id: number): void {
    const pending = this.#pending.get(id);
    const { stdin, stdout, stderr } = pending?.streams ?? {};
    if (!pending || pending.pid === undefined || !stdin || !stdout || !stderr) return;
    this.#pending.delete(id);
    const agent = new AgentProcess(pending.pid, { stdin, stdout, stderr }, (delta) => this.#setKept(delta));
    pending.resolve(agent);
    if (pending.exit) agent.exited(pending.exit.code, pending.exit.signal);
    else this.#live.set(id, agent);
  }

  // The launcher died: its sandboxes die with it; any other agent is killed, as its end can no longer be told.
  #launcherGone(proc: ChildProcess): void {
    if (this.#proc !== proc) return;
    this.#proc = undefined;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      for (const s of Object.values(pending.streams)) s.destroy();
      pending.reject(new SpawnError('Could not start the agent: the launcher process ended'));
    }
    for (const [id, agent] of this.#live) {
      this.#live.delete(id);
      signalProcess(-agent.pid, 'SIGKILL');
      agent.exited(null, 'SIGKILL');
    }
  }
}

let shared: Launcher | undefined;

/** The process's launcher (one per daemon process, started on first use). */
export const sharedLauncher = (): Launcher => (shared ??= new Launcher());
