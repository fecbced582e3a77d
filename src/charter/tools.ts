/** Charter tool names (lower case, as in the spec) and the Claude CLI tools each one covers. */
export const TOOL_NAMES = {
  read: ['Read'],
  write: ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'],
  edit: ['Edit', 'MultiEdit', 'NotebookEdit'],
  bash: ['Bash'],
  glob: ['Glob'],
  grep: ['Grep'],
  webfetch: ['WebFetch'],
  websearch: ['WebSearch'],
  task: ['Task'],
  todo: ['TodoWrite'],
} as const satisfies Record<string, readonly string[]>;

export type CharterToolName = keyof typeof TOOL_NAMES;

export const CHARTER_TOOL_NAMES = Object.keys(TOOL_NAMES) as [CharterToolName, ...CharterToolName[]];

/** The CLI tool names for a list of charter tool names, without duplicates. */
export function cliToolsFor(names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    // Own keys only: `constructor`, `toString` ... are not tool names.
    if (Object.hasOwn(TOOL_NAMES, key)) for (const tool of TOOL_NAMES[key as CharterToolName]) out.add(tool);
  }
  return [...out];
}
