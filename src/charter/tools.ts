/**
 * Charter tool names (lower case, as in the spec) and the Claude CLI tools each one covers. A name also covers the
 * CLI tools that only serve it (names differ across CLI versions: KillBash became KillShell, then TaskStop):
 * `bash` the output and stopping of background shells, `task` the sub-agent tools, `todo` the task-list tools.
 *
 * No CLI tool is allowed without being covered here: the guard refuses every other tool (plan mode, questions,
 * skills, cron, worktrees, REPL...), whatever new tool a CLI version adds, unless the charter names it as an MCP tool.
 */
/** The CLI tools that write files, each with the input field naming the file. */
export const FILE_TOOL_PATH_FIELD: Readonly<Record<string, string>> = Object.freeze({
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
});

export const TOOL_NAMES = {
  read: ['Read', 'NotebookRead'],
  write: ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'],
  edit: ['Edit', 'MultiEdit', 'NotebookEdit'],
  bash: ['Bash', 'BashOutput', 'KillShell', 'KillBash', 'TaskOutput', 'TaskStop'],
  glob: ['Glob'],
  grep: ['Grep'],
  webfetch: ['WebFetch'],
  websearch: ['WebSearch'],
  task: ['Task', 'Agent', 'TaskOutput', 'TaskStop'],
  todo: ['TodoWrite', 'TaskCreate', 'TaskGet', 'TaskUpdate', 'TaskList'],
} as const satisfies Record<string, readonly string[]>;

export type CharterToolName = keyof typeof TOOL_NAMES;

export const CHARTER_TOOL_NAMES = Object.keys(TOOL_NAMES) as [CharterToolName, ...CharterToolName[]];

/**
 * An MCP entry of `allowedTools`: `mcp__<server>` (every tool of that server) or `mcp__<server>__<tool>` (one tool).
 * Server names do not contain `__`; both parts are letters, digits, `_` and `-`. Written as the CLI names them.
 */
const MCP_ENTRY = /^mcp__[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*(?:__[A-Za-z0-9_-]+)?$/;

/** True for an `allowedTools` entry the charter schema accepts: a charter tool name (any case) or an MCP entry. */
export function isAllowedToolEntry(name: string): boolean {
  return MCP_ENTRY.test(name) || Object.hasOwn(TOOL_NAMES, name.toLowerCase());
}

/** What the schema says about an entry it refuses. */
export const ALLOWED_TOOL_ENTRY_MESSAGE = `must be one of ${CHARTER_TOOL_NAMES.join(', ')}, or mcp__<server> or mcp__<server>__<tool>`;

/** The CLI tool names for a list of charter tool names, without duplicates. MCP entries are kept as written. */
export function cliToolsFor(names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    // Own keys only: `constructor`, `toString` ... are not tool names.
    if (Object.hasOwn(TOOL_NAMES, key)) for (const tool of TOOL_NAMES[key as CharterToolName]) out.add(tool);
    else if (MCP_ENTRY.test(name)) out.add(name);
  }
  return [...out];
}

/**
 * Whether the charter's `allowedTools` let the CLI tool `toolName` run. MCP tools need an entry naming their server
 * or themselves; listing or reading a server's MCP resources needs the whole server (`mcp__<server>`). ToolSearch
 * (which loads the definitions of deferred MCP tools, and runs nothing) is allowed when any MCP entry is.
 */
export function isToolAllowed(toolName: string, input: Record<string, unknown>, allowedTools: readonly string[]): boolean {
  const tools = cliToolsFor(allowedTools);
  if (tools.includes(toolName)) return true;
  if (toolName.startsWith('mcp__')) return tools.some((entry) => entry.startsWith('mcp__') && (toolName === entry || (!entry.slice(5).includes('__') && toolName.startsWith(`${entry}__`))));
  if (toolName === 'ListMcpResourcesTool' || toolName === 'ReadMcpResourceTool') {
    const server = input['server'];
    return typeof server === 'string' && tools.includes(`mcp__${server}`);
  }
  return toolName === 'ToolSearch' && tools.some((entry) => entry.startsWith('mcp__'));
}
