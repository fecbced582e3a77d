/**
 * Triage: turns a {@link TriageRequest} into the {@link ClaudeSessionConfig} a session is started with.
 * No clock, no randomness, and the input is never changed; the only I/O is reading a charter given by name.
 */
import { resolveCharterSync, type CharterLookupOptions } from '../files/load.js';
import type { ClaudeSessionConfig, MemoryContext, SessionPriority, TaskContext } from '../session/types.js';
import type { ResolvedTriageRequest, TriageRequest } from '../session/request.js';

/**
 * The urgency words {@link determinePriority} knows (lower case) and the priority each one maps to.
 * `normal` is the word the original project's triage engine used for `medium`.
 */
export const URGENCY_WORDS: ReadonlyMap<string, SessionPriority> = new Map<string, SessionPriority>([
  ...['critical', 'urgent', 'asap', 'emergency', 'p0', 'sev1'].map((word) => [word, 'critical'] as const),
  ...['high', 'important', 'soon', 'p1', 'sev2'].map((word) => [word, 'high'] as const),
  ...['medium', 'normal', 'default', 'p2'].map((word) => [word, 'medium'] as const),
  ...['low', 'whenever', 'someday', 'p3', 'p4'].map((word) => [word, 'low'] as const),
]);

/**
 * Maps a request's free-form `urgency` word to a {@link SessionPriority}, ignoring case and surrounding spaces:
 *
 * | urgency                                                   | priority   |
 * | --------------------------------------------------------- | ---------- |
 * | `critical`, `urgent`, `asap`, `emergency`, `p0`, `sev1`   | `critical` |
 * | `high`, `important`, `soon`, `p1`, `sev2`                 | `high`     |
 * | `medium`, `normal`, `default`, `p2`, missing or empty     | `medium`   |
 * | `low`, `whenever`, `someday`, `p3`, `p4`                  | `low`      |
 *
 * Any other word (and a value that is not a string) gives `medium`: an unrecognised urgency neither
 * jumps the queue nor starves the task.
 *
 * @example determinePriority({ urgency: ' ASAP ' }) // 'critical'
 */
export function determinePriority(request: Pick<TriageRequest, 'urgency'>): SessionPriority {
  const urgency: unknown = request.urgency;
  if (typeof urgency !== 'string') return 'medium';
  return URGENCY_WORDS.get(urgency.trim().toLowerCase()) ?? 'medium';
}

/** Copies what was given of a partial memory into a full {@link MemoryContext} (empty lists and maps for the rest). */
function fullMemory(memory: Partial<MemoryContext> | undefined): MemoryContext {
  return {
    recentActions: [...(memory?.recentActions ?? [])],
    conversationHistory: [...(memory?.conversationHistory ?? [])],
    preferences: { ...memory?.preferences },
    projectContext: { ...memory?.projectContext },
  };
}

/**
 * Builds the session config for a triage request, its charter given whole or by name:
 *
 * - `taskContext`: `taskId` and `description` from `request.task`, `priority` from {@link determinePriority},
 *   `relatedTasks` and `metadata` when the task has them;
 * - `memory`: `request.memory` with missing parts filled by empty lists and maps;
 * - `charter`: a charter object as given (shared, not copied, not validated); a name is read synchronously from
 *   the first charters folder that has it, in order: `lookup.chartersDir`, `VP_DAEMON_CHARTERS`,
 *   `<baseDir>/charters`, then a `charters` folder in each parent of `baseDir` up to the repository root
 *   (`baseDir` defaults to the current folder);
 * - `workingDirectory` as given; `timeout`, `model`, `maxTurns`, `isolation` and `workspace` (`'git'`: `{}`) only when given.
 *
 * Deterministic: the same request (and the same charter files) gives an equal config, and the request is not
 * changed. Lists and maps of the task and memory are copied (one level deep). Apart from a named charter's
 * file, nothing is validated here: the spawner validates the config (see `validateSessionConfig`).
 *
 * @throws {CharterNotFoundError} `ERR_CHARTER_NOT_FOUND` when no folder holds the named charter (`searched`
 * lists them); a `TaskFileError` when the name is not a plain name or its file is invalid.
 */
export function buildSessionConfig(request: TriageRequest | ResolvedTriageRequest, lookup: CharterLookupOptions = {}): ClaudeSessionConfig {
  const { task } = request;
  const taskContext: TaskContext = { taskId: task.id, description: task.description, priority: determinePriority(request) };
  if (task.relatedTasks !== undefined) taskContext.relatedTasks = [...task.relatedTasks];
  if (task.metadata !== undefined) taskContext.metadata = { ...task.metadata };

  const config: ClaudeSessionConfig = {
    workingDirectory: request.workingDirectory,
    charter: typeof request.charter === 'string' ? resolveCharterSync(request.charter, lookup) : request.charter,
    taskContext,
    memory: fullMemory(request.memory),
  };
  if (request.timeout !== undefined) config.timeout = request.timeout;
  if (request.model !== undefined) config.model = request.model;
  if (request.maxTurns !== undefined) config.maxTurns = request.maxTurns;
  if (request.isolation !== undefined) config.isolation = request.isolation;
  if (request.workspace !== undefined) config.workspace = request.workspace === 'git' ? {} : { ...request.workspace };
  return config;
}
