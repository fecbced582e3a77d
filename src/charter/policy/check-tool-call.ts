// Decides whether one tool call of the Claude CLI breaks the charter: a tool it does not allow, a forbidden
// command, a forbidden pattern. Every tool is covered: Bash commands are parsed like shell, file tools have their
// paths and new content checked, any other tool (MCP, Task, WebFetch...) the JSON of its input.
import { FILE_TOOL_PATH_FIELD, isToolAllowed } from '../tools.js';
import { aliasReason, dynamicOptions, dynamicOptionsReason } from './fail-closed.js';
import { compileForbiddenCommand, type CommandMatcher } from './match-command.js';
import { compilePatternSet, type Matcher, type PatternSet } from './pattern-set.js';
import type { PatternSource } from './patterns.js';
import { programName } from './shell-text.js';
import { fileFields, JSON_PLAIN, strings } from './tool-input.js';
import { expandCommands } from './unwrap.js';

/** The charter constraints this module enforces. */
export interface PolicyRules {
  forbiddenCommands: readonly string[];
  /** RegExp objects, or their `{ source, flags }` (as posted to a worker thread). */
  forbiddenPatterns: readonly PatternSource[];
  /** The charter's `allowedTools`: tools they do not cover are refused. Omitted: any tool may run. */
  allowedTools?: readonly string[];
}

/** The decision: allowed, or blocked with the rule and a sentence for the model. */
export type ToolCallVerdict = { allowed: true } | { allowed: false; rule: string; reason: string };

/** The `rule` reported when a command nests or expands beyond the limits the policy checks (fail closed). */
export const NESTING_RULE = 'nesting limit';
/** The `rule` reported when what a command runs cannot be known from its text (fail closed). */
export const UNRESOLVED_RULE = 'unresolved command';
/** The `rule` reported for a tool the charter's allowedTools do not cover. */
export const TOOL_RULE = 'allowedTools';
/** Inputs whose text is longer than this are refused when there are patterns: they are not worth the time. */
export const MAX_CHECKED_CHARS = 8 * 1024 * 1024;

const ALLOWED: ToolCallVerdict = { allowed: true };
const PREFIX = 'Blocked by the session charter: ';

/** Tools that only read local files: patterns apply to their input's JSON, not to each value (reading `.env` is no write). */
const READ_TOOLS = new Set(['Read', 'Glob', 'Grep', 'NotebookRead', 'LS']);

const blocked = (rule: string, reason: string): ToolCallVerdict => ({ allowed: false, rule, reason: PREFIX + reason });

/** Shortens text quoted back to the model. */
function excerpt(text: string, max = 120): string {
  const line = (text.length > 4 * max ? text.slice(0, 4 * max) : text).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** What a charter's rules compile to, once per rules object (the guard keeps one per session). */
interface Compiled {
  matchers: CommandMatcher[];
  patterns: PatternSet;
  /** A verdict for every call when a pattern cannot be run safely (an unvalidated charter). */
  broken: ToolCallVerdict | undefined;
}
const compiledCache = new WeakMap<PolicyRules['forbiddenPatterns'], WeakMap<PolicyRules['forbiddenCommands'], Compiled>>();

function compile(rules: PolicyRules): Compiled {
  let byCommands = compiledCache.get(rules.forbiddenPatterns);
  const hit = byCommands?.get(rules.forbiddenCommands);
  if (hit) return hit;
  const { set, problems } = compilePatternSet(rules.forbiddenPatterns);
  const problem = problems[0];
  const compiled: Compiled = {
    matchers: rules.forbiddenCommands.map(compileForbiddenCommand).filter((m): m is CommandMatcher => m !== undefined),
    patterns: set,
    broken: problem && blocked(problem.rule, `the forbidden pattern ${problem.rule} ${problem.problem}, so no call can be checked; the charter must be fixed`),
  };
  if (!byCommands) compiledCache.set(rules.forbiddenPatterns, (byCommands = new WeakMap()));
  byCommands.set(rules.forbiddenCommands, compiled);
  return compiled;
}

/** Compiles the rules ahead of the first call (a session does it when its guard starts). Returns the cost estimate. */
export function prepareRules(rules: PolicyRules): { patternCost: number } {
  return { patternCost: compile(rules).patterns.cost };
}

function patternVerdict(patterns: Matcher | undefined, text: string, what: string): ToolCallVerdict | undefined {
  const hit = patterns?.firstMatch(text);
  if (!hit) return undefined;
  const matched = hit.match === undefined ? `somewhere in its ${text.length} characters` : `matched: ${excerpt(hit.match)}`;
  return blocked(hit.rule, `${what} matches the forbidden pattern ${hit.rule} (${matched})`);
}

/**
 * The patterns against the parts of a text that matched none of them as a whole (commands with quotes removed, the
 * strings of a JSON input). `plain(i)` says that part `i` occurs as such in `whole`: only anchored patterns can match
 * it alone. Unanchored patterns are tested on the other parts at once (joined), then one by one only on a hit; anchored
 * ones only when their loosened forms match somewhere. `part(i)` is called only for the parts tested.
 */
function partsVerdict(set: PatternSet, whole: string, count: number, part: (i: number) => string, plain: (i: number) => boolean, what: string): ToolCallVerdict | undefined {
  const changed: string[] = [];
  for (let i = 0; i < count; i++) if (!plain(i)) changed.push(part(i));
  const joined = changed.join('\n');
  if (set.unanchored && changed.length > 0 && set.unanchored.test(joined)) {
    for (const text of changed) {
      const hit = patternVerdict(set.unanchored, text, what);
      if (hit) return hit;
    }
  }
  if (set.anchored && count > 0 && set.anchored.mayMatch(`${whole}\n${joined}`)) {
    for (let i = 0; i < count; i++) {
      const hit = patternVerdict(set.anchored, part(i), what);
      if (hit) return hit;
    }
  }
  return undefined;
}

function checkBash(command: string, c: Compiled, hasPatterns: boolean): ToolCallVerdict {
  const expanded = expandCommands(command);
  const programs = new Set(c.matchers.map((m) => m.program));
  for (const [i, argv] of expanded.commands.entries()) {
    if (!programs.has(argv[0] ?? '')) continue;
    for (const matcher of c.matchers) {
      if (matcher.matches(argv)) return blocked(matcher.rule, `"${matcher.rule}" is a forbidden command (matched: ${excerpt(argv.join(' '))})`);
    }
    for (const matcher of c.matchers) {
      const word = dynamicOptions(matcher, argv, expanded.flags[i] ?? [], expanded.assigned);
      if (word !== undefined) return blocked(matcher.rule, dynamicOptionsReason(matcher, argv, word));
    }
  }
  for (const alias of expanded.aliases) {
    const matcher = c.matchers.find((m) => alias.commands.some((argv) => programName(argv[0] ?? '') === m.program));
    if (matcher) return blocked(matcher.rule, aliasReason(matcher, alias.name));
  }
  const unresolved = expanded.unresolved[0];
  if (unresolved !== undefined && c.matchers.length > 0) return blocked(UNRESOLVED_RULE, `${unresolved} (the charter forbids ${c.matchers.map((m) => `"${m.rule}"`).join(', ')})`);
  if (hasPatterns) {
    const raw = patternVerdict(c.patterns, command, 'the command');
    if (raw) return raw;
    // Each command again with quotes removed, within a budget linear in the command.
    let budget = 64 * 1024 + 4 * command.length;
    for (const argv of expanded.commands) for (const word of argv) budget -= word.length + 1;
    if (budget < 0) return blocked(NESTING_RULE, 'the command expands to too much text to be checked against the forbidden patterns; run it in simpler steps');
    const { commands, verbatim } = expanded;
    const hit = partsVerdict(c.patterns, command, commands.length, (i) => (commands[i] ?? []).join(' '), (i) => verbatim[i] === true, 'the command');
    if (hit) return hit;
  }
  if (expanded.overflow && (c.matchers.length > 0 || hasPatterns)) {
    return blocked(NESTING_RULE, 'the command is nested too deeply (shells, eval, substitutions) or expands too much to be checked; run it in simpler steps');
  }
  return ALLOWED;
}

/** Any other tool: the patterns apply to the JSON of its input, and (except for read-only tools) to each string in it. */
function checkJson(toolName: string, input: Record<string, unknown>, c: Compiled): ToolCallVerdict {
  let json: string;
  try {
    json = JSON.stringify(input);
  } catch {
    return blocked(TOOL_RULE, `the input of ${toolName} cannot be read as JSON, so it cannot be checked against the forbidden patterns`);
  }
  const tooBig = blocked(NESTING_RULE, `the input of ${toolName} is too large to be checked against the forbidden patterns (${json.length} characters, at most ${MAX_CHECKED_CHARS})`);
  if (json.length > MAX_CHECKED_CHARS) return tooBig;
  const what = `the input of ${toolName}`;
  const whole = patternVerdict(c.patterns, json, what);
  if (whole || READ_TOOLS.has(toolName)) return whole ?? ALLOWED;
  const values = strings(input, MAX_CHECKED_CHARS);
  if (values === undefined) return tooBig;
  // A value JSON writes as is occurs in the JSON text: only the anchored patterns can match it alone.
  return partsVerdict(c.patterns, json, values.length, (i) => values[i] ?? '', (i) => JSON_PLAIN.test(values[i] ?? ''), what) ?? ALLOWED;
}

/**
 * Decides whether a tool call breaks the charter. Pure: no I/O, never throws. A tool `allowedTools` does not cover
 * is refused; Bash commands are tokenized like shell, wrappers expanded, and what cannot be resolved from the text
 * refused when there are forbidden commands; Write/Edit/MultiEdit/NotebookEdit have their paths and new content
 * tested against the patterns; any other tool the JSON of its input.
 */
export function checkToolCall(toolName: string, input: Record<string, unknown>, rules: PolicyRules): ToolCallVerdict {
  if (rules.allowedTools !== undefined && !isToolAllowed(toolName, input, rules.allowedTools)) {
    const allowed = rules.allowedTools.length > 0 ? rules.allowedTools.join(', ') : 'none';
    return blocked(TOOL_RULE, `the tool ${toolName} is not among the tools this session may use (${allowed})`);
  }
  const c = compile(rules);
  if (c.broken) return c.broken;
  const hasPatterns = c.patterns.patterns.length > 0;
  if (toolName === 'Bash') {
    const command = input['command'];
    if (typeof command !== 'string') return ALLOWED;
    if (command.length > MAX_CHECKED_CHARS && (hasPatterns || c.matchers.length > 0)) {
      return blocked(NESTING_RULE, `the command is too long to be checked (${command.length} characters, at most ${MAX_CHECKED_CHARS}); write it to a file first`);
    }
    return checkBash(command, c, hasPatterns);
  }
  if (!hasPatterns) return ALLOWED;
  if (Object.hasOwn(FILE_TOOL_PATH_FIELD, toolName)) {
    const fields = fileFields(input);
    const size = fields.reduce((sum, f) => sum + f.value.length, 0);
    if (size > MAX_CHECKED_CHARS) return blocked(NESTING_RULE, `the input of ${toolName} is too large to be checked against the forbidden patterns (${size} characters, at most ${MAX_CHECKED_CHARS})`);
    for (const field of fields) {
      const hit = patternVerdict(c.patterns, field.value, field.label);
      if (hit) return hit;
    }
    return ALLOWED;
  }
  return checkJson(toolName, input, c);
}
