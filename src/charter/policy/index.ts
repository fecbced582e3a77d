// Charter policy: pure decisions about tool calls (no I/O), for a PreToolUse hook to enforce.

/** Decides whether a tool call breaks the charter's forbidden commands or patterns. */
export { checkToolCall, NESTING_RULE, type PolicyRules, type ToolCallVerdict } from './check-tool-call.js';
/** Compiles a forbidden command ('rm -rf', 'git push --force') into a flag-aware matcher. */
export { compileForbiddenCommand, type CommandMatcher } from './match-command.js';
/** Splits a shell command string into the argv of every simple command it runs (quotes removed). */
export { splitCommands, parseShell, type SimpleCommand, type ParsedScript } from './shell-words.js';
/** Expands wrappers (sudo, env, bash -c, eval, xargs, find -exec...) to the commands they run. */
export { expandCommands, programName, type ExpandedScript } from './unwrap.js';
