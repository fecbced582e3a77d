import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** A tool call as the CLI hands it to a PreToolUse hook. */
export interface HookCall {
  tool_name: string;
  tool_input: Record<string, unknown>;
  tool_use_id?: string;
  session_id?: string;
}

/** A program about to run inside the sandbox, as the exec guard shim reports it (path resolved, argv as run). */
export interface ExecRequest {
  path: string;
  argv: string[];
  cwd: string;
}

/** The guard's answer: `allow` lets the CLI's own permission rules decide, `deny` refuses with a reason the model sees. */
export type GuardDecision = { decision: 'allow' } | { decision: 'deny'; reason: string };

/** A session's private channel between its hook and the daemon. */
export interface GuardChannel {
  /** JSON file (owner-only) that tells the hook where the socket is and which secret to present. */
  readonly channelPath: string;
  /** The socket's path and its owner-only folder (a sandbox binds the folder read-only). */
  readonly socketPath: string;
  readonly socketDir: string;
  /** The secret a client presents, hex. */
  readonly token: string;
  /** Whether the socket keeps the event loop alive (off while a warm process waits for work). */
  keepAlive(on: boolean): void;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** The `exec` field of a request, when it has the shape the shim sends. */
function execRequest(value: unknown): ExecRequest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { path, argv, cwd } = value as Record<string, unknown>;
  if (typeof path !== 'string' || !isStrings(argv) || (cwd !== undefined && typeof cwd !== 'string')) return undefined;
  return { path, argv, cwd: cwd ?? '' };
}

/**
 * Opens a Unix socket in a fresh owner-only folder. Only a client that presents the session's
 * random token is answered; every other request is denied. Requests with a `call` (from the PreToolUse hook)
 * go to `decide`; requests with an `exec` (from the exec guard shim) go to `decideExec`, and are denied
 * when there is none.
 */
export async function openGuardChannel(
  sessionDir: string,
  decide: (call: HookCall) => Promise<GuardDecision>,
  decideExec?: (request: ExecRequest) => Promise<GuardDecision>,
): Promise<GuardChannel> {
  // Socket paths are limited to ~107 bytes, so the socket lives in a short private folder.
  const folder = await mkdtemp(join(tmpdir(), 'vpg-'));
  await chmod(folder, 0o700);
  const socketPath = join(folder, 'guard.sock');
  const token = randomBytes(32);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = '';
    const decoder = new StringDecoder('utf8'); // a character split between chunks stays whole
    socket.on('data', (chunk: Buffer) => {
      buffer += decoder.write(chunk);
      if (buffer.length > MAX_REQUEST_BYTES) return void socket.destroy();
      const newline = buffer.indexOf('\n');
      if (newline === -1) return;
      socket.removeAllListeners('data');
      void answer(buffer.slice(0, newline)).then((decision) => socket.end(JSON.stringify(decision)));
    });
  });

  const answer = async (line: string): Promise<GuardDecision> => {
    try {
      const request = JSON.parse(line) as { token?: unknown; call?: HookCall; exec?: unknown };
      const given = Buffer.from(typeof request.token === 'string' ? request.token : '', 'hex');
      if (given.length !== token.length || !timingSafeEqual(given, token)) return { decision: 'deny', reason: 'Unauthorized guard request.' };
      if (request.exec !== undefined) {
        const exec = execRequest(request.exec);
        if (!exec) return { decision: 'deny', reason: 'Malformed exec request.' };
        return decideExec ? await decideExec(exec) : { decision: 'deny', reason: 'This session has no exec guard.' };
      }
      if (!request.call || typeof request.call.tool_name !== 'string') return { decision: 'deny', reason: 'Malformed tool call.' };
      return await decide(request.call);
    } catch {
      return { decision: 'deny', reason: 'The guard could not read this tool call.' };
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  await chmod(socketPath, 0o600);
  const channelPath = join(sessionDir, 'guard-channel.json');
  await writeFile(channelPath, JSON.stringify({ socket: socketPath, token: token.toString('hex') }), { mode: 0o600 });

  return {
    channelPath,
    socketPath,
    socketDir: folder,
    token: token.toString('hex'),
    keepAlive: (on) => void (on ? server.ref() : server.unref()),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(folder, { recursive: true, force: true });
      await rm(channelPath, { force: true });
    },
  };
}
