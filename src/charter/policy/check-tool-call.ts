// Decides whether one tool call of the Claude CLI breaks the charter's forbidden commands or patterns.
import { compileForbiddenCommand } from './match-command.js';
import { expandCommands } from './unwrap.js';

/** The charter constraints this module enforces. */
export interface PolicyRules {
  forbiddenCommands: readonly string[];
  forbiddenPatterns: readonly RegExp[];
}

/** The decision: allowed, or blocked with the rule and a sentence for the model. */
export type ToolCallVerdict = { allowed: true } | { allowed: false; rule: string; reason: string };

/** The `rule` reported when a command nests or expands beyond the limits the policy checks (fail closed). */
export const NESTING_RULE = 'nesting limit';

const ALLOWED: ToolCallVerdict = { allowed: true };
const PREFIX = 'Blocked by the session charter: ';
const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

const blocked = (rule: string, reason: string): ToolCallVerdict => ({ allowed: false, rule, reason: PREFIX + reason });

/** Shortens text quoted back to the model. */
function excerpt(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A copy without the g and y flags, so `lastIndex` never carries over between tests. */
function stateless(pattern: RegExp): RegExp {
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
}

/** The first pattern matching `text`, with what it matched. */
function firstMatch(patterns: readonly RegExp[], text: string): { pattern: RegExp; match: string } | undefined {
  for (const pattern of patterns) {
    const m = stateless(pattern).exec(text);
    if (m) return { pattern, match: m[0] };
  }
  return undefined;
}

function checkBash(command: string, rules: PolicyRules): ToolCallVerdict {
  const expanded = expandCommands(command);
  for (const rule of rules.forbiddenCommands) {
    const matcher = compileForbiddenCommand(rule);
    const hit = matcher && expanded.commands.find((argv) => matcher.matches(argv));
    if (hit) return blocked(rule, `"${rule}" is a forbidden command (matched: ${excerpt(hit.join(' '))})`);
  }
  for (const text of [command, ...expanded.commands.map((argv) => argv.join(' '))]) {
    const hit = firstMatch(rules.forbiddenPatterns, text);
    if (hit) {
      const rule = String(hit.pattern);
      return blocked(rule, `the command matches the forbidden pattern ${rule} (matched: ${excerpt(hit.match)})`);
    }
  }
  if (expanded.overflow && (rules.forbiddenCommands.length > 0 || rules.forbiddenPatterns.length > 0)) {
    return blocked(NESTING_RULE, 'the command is nested too deeply (shells, eval, substitutions) or expands too much to be checked; run it in simpler steps');
  }
  return ALLOWED;
}

/** The text fields of a file-writing tool call worth checking, with how to describe each. */
function fileFields(input: Record<string, unknown>): { label: string; value: string }[] {
  const path = input['file_path'] ?? input['notebook_path'];
  const where = typeof path === 'string' ? ` for ${path}` : '';
  const fields: { label: string; value: unknown }[] = [
    { label: `the file path ${String(input['file_path'])}`, value: input['file_path'] },
    { label: `the notebook path ${String(input['notebook_path'])}`, value: input['notebook_path'] },
    { label: `the content${where}`, value: input['content'] },
    { label: `the new text${where}`, value: input['new_string'] },
    { label: `the new cell source${where}`, value: input['new_source'] },
  ];
  const edits = input['edits'];
  if (Array.isArray(edits)) {
    edits.forEach((edit: unknown, i) => {
      const value = typeof edit === 'object' && edit !== null ? (edit as Record<string, unknown>)['new_string'] : undefined;
      fields.push({ label: `the new text of edit ${i + 1}${where}`, value });
    });
  }
  return fields.filter((f): f is { label: string; value: string } => typeof f.value === 'string');
}

function checkFile(input: Record<string, unknown>, rules: PolicyRules): ToolCallVerdict {
  for (const field of fileFields(input)) {
    const hit = firstMatch(rules.forbiddenPatterns, field.value);
    if (hit) {
      const rule = String(hit.pattern);
      return blocked(rule, `${field.label} matches the forbidden pattern ${rule} (matched: ${excerpt(hit.match)})`);
    }
  }
  return ALLOWED;
}

/**
 * Decides whether a tool call breaks the charter's forbidden commands and patterns. Pure: no I/O, never throws.
 * Bash commands are tokenized like shell and wrappers expanded; Write/Edit/MultiEdit/NotebookEdit have their
 * paths and new content tested against the patterns. Other tools are allowed.
 */
export function checkToolCall(toolName: string, input: Record<string, unknown>, rules: PolicyRules): ToolCallVerdict {
  if (toolName === 'Bash') {
    const command = input['command'];
    return typeof command === 'string' ? checkBash(command, rules) : ALLOWED;
  }
  return FILE_TOOLS.has(toolName) ? checkFile(input, rules) : ALLOWED;
}
