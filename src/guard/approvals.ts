/** Escapes a string for use inside a RegExp. */
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A term matches as a whole word (words of a multi-word term may be separated by any whitespace).
function termPattern(term: string): RegExp {
  const words = term.trim().split(/\s+/).map(escapeRegExp).join('\\s+');
  return new RegExp(`(^|[^\\w-])${words}($|[^\\w-])`, 'i');
}

/**
 * The required-approval term a tool call matches, if any. Bash commands are searched as text, so
 * `./deploy.sh` and `npm  publish` match `deploy` and `npm publish`; other tools match by their name
 * (e.g. an MCP tool `mcp__ci__deploy`). Broad on purpose: an approval only pauses, it never runs anything.
 */
export function matchRequiredApproval(toolName: string, input: Record<string, unknown>, terms: readonly string[]): string | undefined {
  const text = toolName === 'Bash' && typeof input['command'] === 'string' ? input['command'] : toolName.replaceAll('_', ' ');
  return terms.find((term) => termPattern(term).test(text));
}
