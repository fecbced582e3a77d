import type { ClaudeSessionConfig } from '../spawner/types.js';
import type { WarmSession } from '../spawner/warm.js';
import type { PoolSpawner } from './types.js';

/** Keeps `size` CLI processes started from a template, waiting for matching requests. */
export class WarmPool {
  readonly #spawner: PoolSpawner;
  readonly #size: number;
  #template: ClaudeSessionConfig | undefined;
  #ready: WarmSession[] = [];
  #starting = 0;
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
    this.#template ??= config;
    this.#failed = false;
    this.fill();
  }

  /** A waiting process that can carry `config`, removed from the pool; undefined if none matches. */
  take(config: ClaudeSessionConfig): WarmSession | undefined {
    const index = this.#ready.findIndex((w) => w.matches(config));
    if (index === -1) return undefined;
    const [warm] = this.#ready.splice(index, 1);
    return warm;
  }

  /** Starts processes until `size` are ready or starting. */
  fill(): void {
    const template = this.#template;
    const prewarm = this.#spawner.prewarm?.bind(this.#spawner);
    if (this.#closed || this.#failed || !template || !prewarm) return;
    for (let missing = this.#size - this.idleCount - this.#starting; missing > 0; missing--) {
      this.#starting += 1;
      prewarm(template).then(
        (warm) => {
          this.#starting -= 1;
          if (this.#closed) void warm.discard();
          else this.#ready.push(warm);
        },
        (error: unknown) => {
          this.#starting -= 1;
          this.#failed = true;
          this.onError(error);
        },
      );
    }
  }

  /** Stops every waiting process. */
  async close(): Promise<void> {
    this.#closed = true;
    const ready = this.#ready;
    this.#ready = [];
    await Promise.all(ready.map((w) => w.discard()));
  }
}
