// Charter policy: pure decisions about tool calls (no I/O), for a PreToolUse hook to enforce.

/** Decides whether a tool call breaks the charter's forbidden commands or patterns. */
export { checkToolCall, prepareRules, NESTING_RULE, UNRESOLVED_RULE, TOOL_RULE, MAX_CHECKED_CHARS, type PolicyRules, type ToolCallVerdict } from './check-tool-call.js';
/** Forbidden patterns in linear time (RE2): compiling, and what config validation refuses. */
export { patternProblem, type PatternSource } from './patterns.js';
export { compilePatternSet, type PatternSet } from './pattern-set.js';
/** Compiles a forbidden command ('rm -rf', 'git push --force') into a flag-aware matcher. */
export { compileForbiddenCommand, type CommandMatcher } from './match-command.js';
/** Splits a shell command string into the argv of every simple command it runs (quotes removed). */
export { splitCommands, parseShell, WORD, type SimpleCommand, type ParsedScript } from './shell-words.js';
/** Expands wrappers (sudo, env, bash -c, eval, xargs, find -exec...) to the commands they run. */
export { expandCommands, programName, type ExpandedScript } from './unwrap.js';
/** Decides whether a program about to run (its real path and argv, from the exec guard) breaks the charter. */
export { checkExec, type ExecRules, type ExecVerdict } from './check-exec.js';
