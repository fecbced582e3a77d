import { expandCommands } from '../charter/policy/unwrap.js';

/** Escapes a string for use inside a RegExp. */
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const patterns = new Map<string, RegExp>();

// A term matches as a whole word (words of a multi-word term may be separated by any whitespace). The shape is
// fixed (literal words, no nested repetition), so matching is linear in the text.
function termPattern(term: string): RegExp {
  let pattern = patterns.get(term);
  if (!pattern) {
    const words = term.trim().split(/\s+/).map(escapeRegExp).join('\\s+');
    pattern = new RegExp(`(^|[^\\w-])${words}($|[^\\w-])`, 'i');
    if (patterns.size > 256) patterns.clear();
    patterns.set(term, pattern);
  }
  return pattern;
}

/**
 * The required-approval term a tool call matches, if any. Bash commands are searched as text, and as each command
 * they run with quotes removed and wrappers expanded, so `./deploy.sh`, `./dep''loy.sh` and `npm  publish` match
 * `deploy` and `npm publish`; other tools match by their name (e.g. an MCP tool `mcp__ci__deploy`). Broad on
 * purpose: an approval only pauses, it never runs anything.
 */
export function matchRequiredApproval(toolName: string, input: Record<string, unknown>, terms: readonly string[]): string | undefined {
  if (terms.length === 0) return undefined;
  const command = input['command'];
  if (toolName !== 'Bash' || typeof command !== 'string') {
    const name = toolName.replaceAll('_', ' ');
    return terms.find((term) => termPattern(term).test(name));
  }
  const direct = terms.find((term) => termPattern(term).test(command));
  if (direct !== undefined) return direct;
  const text = expandCommands(command).commands.map((argv) => argv.join(' ')).join('\n');
  return terms.find((term) => termPattern(term).test(text));
}
