// Commands that act where their target lives (an approval, a running session, a queued request), sent from any node
// over Redis pub/sub: each node tries a command locally and answers when it could carry it out.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { fleetPrefix } from './identity.js';

/** A command relayed to the node that holds its target. */
export type FleetCommand =
  | { type: 'approve'; approvalId: string }
  | { type: 'deny'; approvalId: string; reason?: string }
  | { type: 'cancel'; requestId: string; terminate: boolean }
  | { type: 'terminate'; sessionId: string };

/** How long a relayed command waits for the node that holds its target. */
export const RELAY_TIMEOUT_MS = 3_000;

interface Message {
  id: string;
  from: string;
  command?: FleetCommand;
  /** A reply: whether the answering node carried the command out. */
  done?: boolean;
}

/** Relays commands between the nodes of one fleet. */
export class FleetControl {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #node: string;
  readonly #waiting = new Map<string, (done: boolean) => void>();

  private constructor(redis: Redis, fleetName: string, node: string) {
    this.#publisher = redis;
    this.#subscriber = redis.duplicate();
    this.#subscriber.on('error', () => undefined);
    this.#channel = `${fleetPrefix(fleetName)}:control`;
    this.#node = node;
  }

  /** Subscribes; `handle` carries a command out on this node and says whether it could. */
  static async open(redis: Redis, fleetName: string, node: string, handle: (command: FleetCommand) => Promise<boolean>): Promise<FleetControl> {
    const control = new FleetControl(redis, fleetName, node);
    control.#subscriber.on('message', (_channel: string, text: string) => void control.#receive(text, handle));
    await control.#subscriber.subscribe(control.#channel);
    return control;
  }

  /**
   * Sends `command` to the other nodes; resolves true as soon as one of them carried it out, false when none did
   * within `timeoutMs` (its target is nowhere in the fleet, or its node does not answer).
   */
  relay(command: FleetCommand, timeoutMs = RELAY_TIMEOUT_MS): Promise<boolean> {
    const id = randomBytes(8).toString('hex');
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (done: boolean): void => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve(done);
      };
      this.#waiting.set(id, (done) => void (done && finish(true)));
      void this.#publisher.publish(this.#channel, JSON.stringify({ id, from: this.#node, command } satisfies Message)).catch(() => finish(false));
    });
  }

  close(): void {
    for (const wake of this.#waiting.values()) wake(false);
    this.#subscriber.disconnect();
  }

  async #receive(text: string, handle: (command: FleetCommand) => Promise<boolean>): Promise<void> {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (message.done !== undefined) {
      if (message.from !== this.#node) this.#waiting.get(message.id)?.(message.done);
      return;
    }
    if (message.from === this.#node || message.command === undefined) return;
    const done = await handle(message.command).catch(() => false);
    // Only the node that carried it out answers: the others' silence is no answer.
    if (done) await this.#publisher.publish(this.#channel, JSON.stringify({ id: message.id, from: this.#node, done } satisfies Message)).catch(() => undefined);
  }
}
