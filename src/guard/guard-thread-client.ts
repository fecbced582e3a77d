import type { Worker } from 'node:worker_threads';
import { createDeferred, type Deferred } from '../utils/deferred.js';
import { startModuleWorker } from '../utils/worker.js';
import type { ExecRequest, FastRules, FromThread, GuardDecision, HookCall, ToThread } from './channel-types.js';
import { GUARD_THREAD_MARK } from './guard-thread.js';

/** What a channel's requests go to on the daemon's side. */
export interface ChannelHandlers {
  /** What the guard thread may decide alone; without it, every request comes to `decide`/`decideExec`. */
  fast?: FastRules;
  decide(call: HookCall): Promise<GuardDecision>;
  decideExec?(request: ExecRequest): Promise<GuardDecision>;
  /** A call (or, with `exec`, a program) the guard thread decided alone; `blocked` says why it was refused. */
  decided?(call: HookCall, exec: boolean, blocked: string | undefined): void;
}

interface Entry {
  socketPath: string;
  token: string;
  handlers: ChannelHandlers;
  overBudget: boolean;
  keepAlive: boolean;
  /** The thread listens on the socket (it is opened again if the thread stops). */
  listening: boolean;
  opened: Deferred<void>;
  closed?: Deferred<void>;
}

const THREAD_URL = new URL(`./guard-thread.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;

/** The daemon's side of the one guard thread of this process (started with the first channel, restarted if it stops). */
class GuardThread {
  #worker: Worker | undefined;
  #next = 1;
  readonly #channels = new Map<number, Entry>();
  readonly #syncs = new Map<number, () => void>();

  async open(entry: Pick<Entry, 'socketPath' | 'token' | 'handlers'>): Promise<number> {
    const id = this.#next++;
    const full: Entry = { ...entry, overBudget: false, keepAlive: true, listening: false, opened: createDeferred() };
    this.#channels.set(id, full);
    this.#post(this.#openMessage(id, full));
    this.#refresh();
    try {
      await full.opened.promise;
    } catch (error) {
      this.#channels.delete(id);
      this.#refresh();
      throw error;
    }
    return id;
  }

  close(id: number): Promise<void> {
    const entry = this.#channels.get(id);
    if (!entry) return Promise.resolve();
    entry.closed ??= createDeferred();
    this.#post({ type: 'close', channel: id });
    return entry.closed.promise;
  }

  overBudget(id: number): void {
    const entry = this.#channels.get(id);
    if (!entry || entry.overBudget) return;
    entry.overBudget = true;
    this.#post({ type: 'over-budget', channel: id });
  }

  keepAlive(id: number, on: boolean): void {
    const entry = this.#channels.get(id);
    if (entry) entry.keepAlive = on;
    this.#refresh();
  }

  /** Resolves once every message the thread sent before this call has been handled. */
  sync(): Promise<void> {
    if (!this.#worker) return Promise.resolve();
    const sync = this.#next++;
    return new Promise((resolve) => {
      this.#syncs.set(sync, resolve);
      this.#post({ type: 'sync', sync });
    });
  }

  /** Stops the thread as if it had died (tests): open channels are opened again on a new one. */
  async terminate(): Promise<void> {
    await this.#worker?.terminate();
  }

  #openMessage(id: number, entry: Entry): ToThread {
    const { socketPath, token, handlers, overBudget } = entry;
    return { type: 'open', channel: id, socketPath, token, overBudget, ...(handlers.fast ? { fast: handlers.fast } : {}) };
  }

  #post(message: ToThread): void {
    this.#start().postMessage(message);
  }

  // The thread keeps the process alive while a channel wants it to (a running session), never otherwise.
  #refresh(): void {
    if (!this.#worker) return;
    if ([...this.#channels.values()].some((e) => e.keepAlive)) this.#worker.ref();
    else this.#worker.unref();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startModuleWorker(THREAD_URL, { workerData: { mark: GUARD_THREAD_MARK } });
    worker.on('message', (message: FromThread) => this.#receive(message));
    worker.on('error', () => undefined); // 'exit' follows
    worker.on('exit', () => this.#stopped(worker));
    this.#worker = worker;
    this.#refresh();
    return worker;
  }

  // The thread stopped (it should not): channels not yet open fail, open ones are opened again on a new thread.
  #stopped(worker: Worker): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    for (const resolve of this.#syncs.values()) resolve();
    this.#syncs.clear();
    for (const [id, entry] of [...this.#channels]) {
      if (entry.closed) {
        this.#channels.delete(id);
        entry.closed.resolve();
      } else if (entry.listening) this.#post(this.#openMessage(id, entry));
      else {
        this.#channels.delete(id);
        entry.opened.reject(new Error('the guard thread stopped'));
      }
    }
    this.#refresh();
  }

  #receive(message: FromThread): void {
    if (message.type === 'synced') {
      this.#syncs.get(message.sync)?.();
      this.#syncs.delete(message.sync);
      return;
    }
    const entry = this.#channels.get(message.channel);
    if (!entry) return;
    if (message.type === 'opened') {
      if (message.error === undefined) {
        entry.listening = true;
        entry.opened.resolve();
      } else entry.opened.reject(new Error(`the guard socket could not be opened: ${message.error}`));
    } else if (message.type === 'closed') {
      this.#channels.delete(message.channel);
      this.#refresh();
      entry.closed?.resolve();
    } else if (message.type === 'decided') entry.handlers.decided?.(message.call, message.exec, message.blocked);
    else void this.#decide(message.channel, message.request, entry.handlers, message);
  }

  async #decide(channel: number, request: number, handlers: ChannelHandlers, what: { call?: HookCall; exec?: ExecRequest }): Promise<void> {
    let decision: GuardDecision;
    try {
      if (what.exec) decision = handlers.decideExec ? await handlers.decideExec(what.exec) : { decision: 'deny', reason: 'This session has no exec guard.' };
      else if (what.call) decision = await handlers.decide(what.call);
      else decision = { decision: 'deny', reason: 'Malformed tool call.' };
    } catch {
      decision = { decision: 'deny', reason: 'The guard could not read this tool call.' };
    }
    if (this.#channels.has(channel) && this.#worker) this.#worker.postMessage({ type: 'answer', channel, request, decision } satisfies ToThread);
  }
}

let shared: GuardThread | undefined;

/** The guard thread of this process. */
export const guardThread = (): GuardThread => (shared ??= new GuardThread());
