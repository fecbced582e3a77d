/**
 * Spreads session starts over the event loop: at most `perTick` starts begin per turn of the loop, and at
 * most `concurrent` are being prepared at once (files, guard socket, sandbox plan, the launcher's spawn).
 * A burst of hundreds of admissions then never stalls the loop that serves the running sessions, their
 * guards and the API. First come, first served: starts begin in the order they were asked for.
 */
export class StartGate {
  readonly #perTick: number;
  readonly #concurrent: number;
  readonly #waiting: (() => void)[] = [];
  #active = 0;
  #scheduled = false;

  constructor(perTick = 4, concurrent = 16) {
    this.#perTick = perTick;
    this.#concurrent = concurrent;
  }

  /** Resolves when this start may begin; call the returned function once it is done, however it ended. */
  enter(): Promise<() => void> {
    return new Promise((resolve) => {
      this.#waiting.push(() => resolve(this.#leaver()));
      this.#schedule();
    });
  }

  /** Starts waiting or in progress. */
  get size(): number {
    return this.#waiting.length + this.#active;
  }

  #leaver(): () => void {
    this.#active += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#active -= 1;
      this.#schedule();
    };
  }

  #schedule(): void {
    if (this.#scheduled || this.#waiting.length === 0 || this.#active >= this.#concurrent) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      for (let n = 0; n < this.#perTick && this.#active < this.#concurrent; n += 1) {
        const next = this.#waiting.shift();
        if (!next) break;
        next();
      }
      this.#schedule();
    });
  }
}
