/**
 * The launcher's protocol: JSON lines on its stdin (requests) and stdout (reports). Pure types and
 * codecs, shared by the launcher process and its client in the daemon.
 */

/** Which of the agent's standard streams a connection carries. */
export type StdioName = 'stdin' | 'stdout' | 'stderr';
export const STDIO_NAMES: readonly StdioName[] = ['stdin', 'stdout', 'stderr'];

/** Start `command` with its stdio connected to the daemon's socket (one connection per stream). */
export interface SpawnRequest {
  type: 'spawn';
  id: number;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** The daemon's stdio socket, and the secret each connection presents first. */
  socketPath: string;
  token: string;
}

/**
 * The daemon's heartbeat: with `timeoutMs`, the launcher SIGKILLs every agent's process group once no beat came for
 * that long (the daemon stalled, e.g. SIGSTOP: its sessions must not outlive its lease); without, the watch is off.
 */
export interface BeatRequest {
  type: 'beat';
  timeoutMs?: number;
}

export type LauncherRequest = SpawnRequest | BeatRequest;

export type LauncherReport =
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'failed'; id: number; message: string; code?: string }
  | { type: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null };

/** The first line of each stdio connection: who it belongs to. */
export const helloLine = (token: string, id: number, stream: StdioName): string => `${token} ${id} ${stream}\n`;

/** Reads a hello line; undefined unless it carries `token`, a spawn id and a stream name. */
export function parseHello(line: string, token: string): { id: number; stream: StdioName } | undefined {
  const [given, id, stream] = line.split(' ');
  if (given !== token || !STDIO_NAMES.includes(stream as StdioName)) return undefined;
  const n = Number(id);
  return Number.isSafeInteger(n) ? { id: n, stream: stream as StdioName } : undefined;
}
