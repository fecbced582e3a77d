import type { BackgroundTask } from '../../session/types.js';
import { isAssistant, type StreamMessage } from '../stream/messages.js';

// `task_updated` statuses that end a task.
const ENDED = new Set(['completed', 'failed', 'killed', 'stopped', 'cancelled', 'canceled', 'error']);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The CLI's background tasks, from its `system` messages: `task_started`, `task_updated`, `task_notification`
 * and (2.1.2xx) `background_tasks_changed`, which lists them all. 2.1.197 does not mark a task as backgrounded,
 * so a task whose tool call asked for `run_in_background` counts as one there.
 */
export class BackgroundTasks {
  readonly #running = new Map<string, BackgroundTask>();
  // Tool calls that asked to run in the background.
  readonly #backgroundCalls = new Set<string>();
  // Every task that ran in the background: the CLI reports the end of each to the model, in a turn of its own.
  readonly #background = new Set<string>();

  get count(): number {
    return this.#running.size;
  }

  list(): BackgroundTask[] {
    return [...this.#running.values()].map((task) => ({ ...task }));
  }

  /** Folds in a message. Returns true when a background task ended (its end is then reported to the model). */
  apply(message: StreamMessage): boolean {
    if (isAssistant(message)) {
      for (const block of Array.isArray(message.message?.content) ? message.message.content : []) {
        const input = block['input'] as { run_in_background?: unknown } | undefined;
        if (block.type === 'tool_use' && input?.run_in_background === true && typeof block['id'] === 'string') this.#backgroundCalls.add(block['id']);
      }
      return false;
    }
    if (message.type !== 'system') return false;
    const taskId = str(message['task_id']);
    switch (message.subtype) {
      case 'task_started': {
        const toolUseId = str(message['tool_use_id']);
        const marked = message['is_backgrounded'];
        const asked = toolUseId !== undefined && this.#backgroundCalls.has(toolUseId);
        if (taskId === undefined || !(marked === true || (marked === undefined && asked))) return false;
        this.#add({ taskId, type: str(message['task_type']), description: str(message['description']), toolUseId });
        return false;
      }
      case 'task_updated': {
        const status = (message['patch'] as { status?: unknown } | undefined)?.status;
        if (taskId !== undefined && typeof status === 'string' && ENDED.has(status)) this.#running.delete(taskId);
        return false;
      }
      case 'task_notification':
        if (taskId === undefined) return false;
        this.#running.delete(taskId);
        return this.#background.has(taskId);
      case 'background_tasks_changed':
        this.#replace(message['tasks']);
        return false;
      default:
        return false;
    }
  }

  // Adds or updates a task; what the new message does not say is kept from what an earlier one said.
  #add(task: BackgroundTask, known = this.#running.get(task.taskId)): void {
    const merged: BackgroundTask = { taskId: task.taskId };
    for (const key of ['type', 'description', 'toolUseId'] as const) {
      const value = task[key] ?? known?.[key];
      if (value !== undefined) merged[key] = value;
    }
    this.#running.set(task.taskId, merged);
    this.#background.add(task.taskId);
  }

  // The CLI's own list of what runs in the background now.
  #replace(tasks: unknown): void {
    if (!Array.isArray(tasks)) return;
    const before = new Map(this.#running);
    this.#running.clear();
    for (const t of tasks as unknown[]) {
      if (typeof t !== 'object' || t === null) continue;
      const fields = t as Record<string, unknown>;
      const taskId = str(fields['task_id']);
      if (taskId !== undefined) this.#add({ taskId, type: str(fields['task_type']), description: str(fields['description']) }, before.get(taskId));
    }
  }
}
