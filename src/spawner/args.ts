/** Inputs of {@link buildClaudeArgs}. */
export interface ClaudeArgsInput {
  claudeSessionId: string;
  /** Continue the conversation `claudeSessionId` instead of starting it. */
  resume: boolean;
  /** File appended to the system prompt: the rendered charter. */
  charterFile: string;
  permissionMode: string;
  /** CLI tool names allowed without asking. */
  allowedTools: readonly string[];
  model?: string;
  maxTurns?: number;
  /** Inline settings JSON (`--settings`), e.g. the guard hook. */
  settings?: string;
  extraArgs?: readonly string[];
}

/**
 * The argv of a headless stream-json session. Values go in separate elements or as `--flag=value`
 * (variadic flags would swallow a following argument); the prompt goes on stdin, never here.
 */
export function buildClaudeArgs(input: ClaudeArgsInput): string[] {
  const args = [
    '-p',
    '--input-format', 'stream-json',
    '--output-format', 'stream-json',
    '--verbose',
    input.resume ? '--resume' : '--session-id', input.claudeSessionId,
    '--append-system-prompt-file', input.charterFile,
    '--permission-mode', input.permissionMode,
  ];
  if (input.allowedTools.length > 0) args.push(`--allowedTools=${input.allowedTools.join(',')}`);
  if (input.model !== undefined) args.push(`--model=${input.model}`);
  if (input.maxTurns !== undefined) args.push(`--max-turns=${input.maxTurns}`);
  if (input.settings !== undefined) args.push('--settings', input.settings);
  if (input.extraArgs) args.push(...input.extraArgs);
  return args;
}
