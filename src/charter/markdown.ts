// Markdown helpers that keep user-supplied text as data: it can never open a heading,
// a rule or a fence of its own, so a task description cannot forge charter sections.

// A line of only `=` or `-` would turn the line above it into a (setext) heading.
const BLOCK_START = /^(\s*)(#|>|-{3,}|=+\s*$|-+\s*$|`{3,}|~{3,})/;

/** Escapes a line so it cannot start a heading, quote, rule or fence. */
export const escapeLine = (line: string): string => line.replace(BLOCK_START, '$1\\$2');

/** One line of text: newlines folded to spaces, leading markdown escaped. */
export const inline = (value: unknown): string => escapeLine(String(value).replace(/\s*[\r\n]+\s*/g, ' ').trim());

/** Multi-line text as a block quote, each line escaped. */
export const quote = (text: string): string =>
  text
    .split(/\r\n|\r|\n/) // a lone CR ends a line in markdown too
    .map((line) => (line.trim() === '' ? '>' : `> ${escapeLine(line)}`))
    .join('\n');

/** An inline code span that the value's own backticks cannot close. */
export function code(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A bulleted list, or a placeholder line when empty. */
export const bullets = (items: readonly string[], empty = '- (none)'): string =>
  items.length > 0 ? items.map((item) => `- ${item}`).join('\n') : empty;

/** A value for a `key: value` line; objects as JSON. */
export const plain = (value: unknown): string => inline(typeof value === 'string' ? value : json(value));

// JSON.stringify throws on BigInt and cycles; such values are shown with String().
function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
