import type { ClaudeSessionConfig, SpawnResult } from '../session/types.js';
import type { WarmSession } from '../spawner/warm.js';
import type { PoolSpawner } from './types.js';

/** Keeps `size` CLI processes started from a template, waiting for matching requests. */
export class WarmPool {
  readonly #spawner: PoolSpawner;
  readonly #size: number;
  #template: ClaudeSessionConfig | undefined;
  #ready: WarmSession[] = [];
  #starting = 0;
  // Prewarms in flight, so close() can wait for them and stop them too.
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;
  // After a failed prewarm, refill only on the next use (no hot retry loop).
  #failed = false;

  constructor(spawner: PoolSpawner, size: number, template: ClaudeSessionConfig | undefined, private readonly onError: (error: unknown) => void) {
    this.#spawner = spawner;
    this.#size = spawner.prewarm ? size : 0;
    this.#template = template;
  }

  get idleCount(): number {
    this.#ready = this.#ready.filter((w) => w.alive);
    return this.#ready.length;
  }

  /** Learns the template from the first request when none was configured, then fills up. */
  noteRequest(config: ClaudeSessionConfig): void {
    if (this.#size === 0) return;
    this.#template ??= config;
    this.#failed = false;
    this.fill();
  }

  /** A waiting process that can carry `config`, removed from the pool; undefined if none matches. */
  take(config: ClaudeSessionConfig): WarmSession | undefined {
    if (this.#ready.length === 0) return undefined;
    const index = this.#ready.findIndex((w) => w.matches(config));
    if (index === -1) return undefined;
    const [warm] = this.#ready.splice(index, 1);
    return warm;
  }

  /** Hands `config` to a matching waiting process; undefined (start a fresh one) if none can take it. */
  activate(config: ClaudeSessionConfig): SpawnResult | undefined {
    const warm = this.take(config);
    if (!warm) return undefined;
    try {
      return warm.activate(config);
    } catch {
      void warm.discard();
      return undefined;
    }
  }

  /** Starts processes until `size` are ready or starting. */
  fill(): void {
    const template = this.#template;
    const prewarm = this.#spawner.prewarm?.bind(this.#spawner);
    if (this.#closed || this.#failed || !template || !prewarm) return;
    for (let missing = this.#size - this.idleCount - this.#starting; missing > 0; missing--) {
      this.#starting += 1;
      const started = prewarm(template).then(
        (warm) => {
          this.#starting -= 1;
          if (this.#closed) return warm.discard();
          this.#ready.push(warm);
          return undefined;
        },
        (error: unknown) => {
          this.#starting -= 1;
          this.#failed = true;
          this.onError(error);
        },
      );
      this.#pending.add(started);
      void started.finally(() => this.#pending.delete(started));
    }
  }

  /** Stops every waiting process. */
  async close(): Promise<void> {
    this.#closed = true;
    const ready = this.#ready;
    this.#ready = [];
    await Promise.all([...ready.map((w) => w.discard()), ...this.#pending]);
  }
}
