import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardThread, type ChannelHandlers } from './guard-thread-client.js';

export type { ExecRequest, GuardDecision, HookCall } from './channel-types.js';
export type { ChannelHandlers } from './guard-thread-client.js';

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
  /** The session has used its budget: from now on every tool call is decided by `decide`. */
  overBudget(): void;
  /** Resolves once every `decided` report the guard thread made before this call has been delivered. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens a Unix socket in a fresh owner-only folder, served by the guard thread. Only a client that presents the
 * session's random token is answered; every other request is denied. What `handlers.fast` allows or blocks outright
 * is answered by the thread (and reported to `decided`); everything else goes to `decide` (tool calls from the
 * PreToolUse hook) or `decideExec` (programs from the exec guard shim; denied when there is none).
 */
export async function openGuardChannel(sessionDir: string, handlers: ChannelHandlers): Promise<GuardChannel> {
  // Socket paths are limited to ~107 bytes, so the socket lives in a short private folder.
  const folder = await mkdtemp(join(tmpdir(), 'vpg-'));
  await chmod(folder, 0o700);
  const socketPath = join(folder, 'guard.sock');
  const token = randomBytes(32).toString('hex');
  const thread = guardThread();
  const channelPath = join(sessionDir, 'guard-channel.json');
  let id: number | undefined;
  try {
    id = await thread.open({ socketPath, token, handlers });
    await writeFile(channelPath, JSON.stringify({ socket: socketPath, token }), { mode: 0o600 });
  } catch (error) {
    if (id !== undefined) await thread.close(id);
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  const opened = id;

  return {
    channelPath,
    socketPath,
    socketDir: folder,
    token,
    keepAlive: (on) => thread.keepAlive(opened, on),
    overBudget: () => thread.overBudget(opened),
    sync: () => thread.sync(),
    close: async () => {
      await thread.close(opened);
      await rm(folder, { recursive: true, force: true });
      await rm(channelPath, { force: true });
    },
  };
}
