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
  /** The CLI's own spend cap (`--max-budget-usd`): the backstop of `charter.resources.maxCostUsd`. */
  maxBudgetUsd?: number;
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
    // `stream_event` lines: the only live report of a running call's output tokens (`message_delta`),
    // which the budgets need; the assistant messages carry the call's input side only.
    '--include-partial-messages',
    input.resume ? '--resume' : '--session-id', input.claudeSessionId,
    '--append-system-prompt-file', input.charterFile,
    // Always passed: the CLI's own default changed across versions ("default" is "manual" since 2.1.200, and
    // print mode may default to auto mode). "default" is still accepted by 2.1.328; "manual" is refused by 2.1.197.
    '--permission-mode', input.permissionMode,
    // No user, project or local settings: a file a session writes (`disableAllHooks`, hooks, permission rules,
    // `env`) must not weaken its own guard or a later session's. Only the flag settings (the guard) apply.
    '--setting-sources=',
  ];
  if (input.allowedTools.length > 0) args.push(`--allowedTools=${input.allowedTools.join(',')}`);
  if (input.model !== undefined) args.push(`--model=${input.model}`);
  if (input.maxTurns !== undefined) args.push(`--max-turns=${input.maxTurns}`);
  if (input.maxBudgetUsd !== undefined) args.push(`--max-budget-usd=${input.maxBudgetUsd}`);
  if (input.settings !== undefined) args.push('--settings', input.settings);
  if (input.extraArgs) args.push(...input.extraArgs);
  return args;
}
