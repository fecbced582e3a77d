import type { ClaudeSessionConfig } from '../session/types.js';

/** The first user message: the task, related tasks and earlier conversation. The charter travels in the system prompt. */
export function buildPrompt(config: ClaudeSessionConfig): string {
  const { taskContext: task, memory } = config;
  const lines = [`Task ${task.taskId} (priority ${task.priority}):`, task.description.trim()];
  if (task.relatedTasks && task.relatedTasks.length > 0) lines.push('', `Related tasks: ${task.relatedTasks.join(', ')}`);
  if (memory.conversationHistory.length > 0) {
    lines.push('', 'Previous conversation:');
    for (const turn of memory.conversationHistory) lines.push(`${turn.role}: ${turn.content}`);
  }
  lines.push('', 'Proceed with the task within the session charter (objectives, constraints and limits) given in your instructions.');
  return lines.join('\n');
}

/** The first message of a resumed conversation: the CLI replays the history, this says what happened. */
export function buildResumePrompt(config: ClaudeSessionConfig): string {
  return [
    `Task ${config.taskContext.taskId}: this session was interrupted and has been restarted with the conversation so far.`,
    'Continue the task where you left off. A command that was running when the session stopped may or may not have',
    'taken effect: check before relying on it or running it again.',
  ].join(' ');
}

/** A stream-json user message line for the CLI's stdin. */
export const userMessageLine = (text: string): string =>
  `${JSON.stringify({ type: 'user', session_id: '', message: { role: 'user', content: [{ type: 'text', text }] }, parent_tool_use_id: null })}\n`;
