import type { UserMessage } from '../stream/messages.js';

/**
 * Tool calls the guard has decided and whose result has not arrived yet. A tool that ran although its guard
 * hook never asked (the hook was killed, or hooks were switched off) means the charter is not being enforced.
 */
export class GuardCheck {
  readonly #decided = new Set<string>();

  /** The guard decided the tool call `toolUseId` (its hook ran). */
  saw(toolUseId: string): void {
    this.#decided.add(toolUseId);
  }

  /** The ids of successful tool results in `message` whose call the guard never decided. */
  unguarded(message: UserMessage): string[] {
    const content = message.message.content;
    if (!Array.isArray(content)) return [];
    const ids: string[] = [];
    for (const block of content) {
      if (block.type !== 'tool_result' || typeof block['tool_use_id'] !== 'string') continue;
      const id = block['tool_use_id'];
      if (this.#decided.delete(id) || block['is_error'] === true) continue;
      ids.push(id);
    }
    return ids;
  }

  /** Of `ids` that {@link unguarded} returned, those the guard has still not decided (each is then forgotten). */
  stillUnseen(ids: readonly string[]): string[] {
    return ids.filter((id) => !this.#decided.delete(id));
  }
}
