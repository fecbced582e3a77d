import type { ClaudeSessionConfig } from '../spawner/types.js';

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

/** A stream-json user message line for the CLI's stdin. */
export const userMessageLine = (text: string): string =>
  `${JSON.stringify({ type: 'user', session_id: '', message: { role: 'user', content: [{ type: 'text', text }] }, parent_tool_use_id: null })}\n`;
