// The guard thread: it owns every session's guard socket and answers what the charter decides outright, so a tool
// call waits for neither the daemon's busy event loop nor anything else. What needs the daemon (a person's
// approval, a large input, a session past its budget) is forwarded, and the answer relayed back.
// This module is the thread's entry point; the daemon side is channel.ts.
import { timingSafeEqual } from 'node:crypto';
import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { execRequest, type FastRules, type FromThread, type GuardDecision, type HookCall, type ToThread } from './channel-types.js';
import { execCall, fastCall, fastExec, warmFastRules, type FastAnswer } from './fast-path.js';

export const GUARD_THREAD_MARK = 'vp-daemon guard thread';
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

interface Channel {
  server: Server;
  sockets: Set<Socket>;
  token: Buffer;
  fast: FastRules | undefined;
  overBudget: boolean;
}

const deny = (reason: string): GuardDecision => ({ decision: 'deny', reason });

function serve(port: MessagePort): void {
  const channels = new Map<number, Channel>();
  const waiting = new Map<number, Socket>();
  let nextRequest = 1;
  const post = (message: FromThread): void => port.postMessage(message);

  const reply = (socket: Socket, decision: GuardDecision): void => void socket.end(JSON.stringify(decision));
  const forward = (id: number, socket: Socket, what: { call?: HookCall; exec?: ReturnType<typeof execRequest> }): void => {
    const request = nextRequest++;
    waiting.set(request, socket);
    socket.once('close', () => waiting.delete(request));
    post({ type: 'forward', channel: id, request, ...what });
  };
  const settle = (id: number, socket: Socket, call: HookCall, exec: boolean, fast: FastAnswer): boolean => {
    if (!fast) return false;
    post({ type: 'decided', channel: id, call, exec, ...(fast.blocked === undefined ? {} : { blocked: fast.blocked }) });
    reply(socket, fast.decision);
    return true;
  };

  const answer = (id: number, channel: Channel, line: string, socket: Socket): void => {
    let request: { token?: unknown; call?: HookCall; exec?: unknown };
    try {
      request = JSON.parse(line) as typeof request;
    } catch {
      return reply(socket, deny('The guard could not read this tool call.'));
    }
    const given = Buffer.from(typeof request.token === 'string' ? request.token : '', 'hex');
    if (given.length !== channel.token.length || !timingSafeEqual(given, channel.token)) return reply(socket, deny('Unauthorized guard request.'));
    try {
      if (request.exec !== undefined) {
        const exec = execRequest(request.exec);
        if (!exec) return reply(socket, deny('Malformed exec request.'));
        if (channel.fast && settle(id, socket, execCall(exec), true, fastExec(channel.fast, exec))) return;
        return forward(id, socket, { exec });
      }
      const call = request.call;
      if (!call || typeof call.tool_name !== 'string') return reply(socket, deny('Malformed tool call.'));
      if (channel.fast && !channel.overBudget && settle(id, socket, call, false, fastCall(channel.fast, call))) return;
      forward(id, socket, { call });
    } catch {
      reply(socket, deny('The guard could not read this tool call.'));
    }
  };

  const open = async (message: Extract<ToThread, { type: 'open' }>): Promise<void> => {
    const { channel: id, socketPath } = message;
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
        const channel = channels.get(id);
        if (channel) answer(id, channel, buffer.slice(0, newline), socket);
        else socket.destroy();
      });
    });
    const channel: Channel = { server, sockets, token: Buffer.from(message.token, 'hex'), fast: message.fast, overBudget: message.overBudget };
    try {
      await unlink(socketPath).catch(() => undefined); // left by a guard thread that stopped (it is restarted)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, resolve);
      });
      await chmod(socketPath, 0o600);
      if (channel.fast) warmFastRules(channel.fast);
      channels.set(id, channel);
      post({ type: 'opened', channel: id });
    } catch (error) {
      server.close();
      post({ type: 'opened', channel: id, error: String(error) });
    }
  };

  const close = (id: number): void => {
    const channel = channels.get(id);
    channels.delete(id);
    if (!channel) return post({ type: 'closed', channel: id });
    for (const socket of channel.sockets) socket.destroy();
    channel.server.close(() => post({ type: 'closed', channel: id }));
  };

  port.on('message', (message: ToThread) => {
    if (message.type === 'open') void open(message);
    else if (message.type === 'close') close(message.channel);
    else if (message.type === 'over-budget') {
      const channel = channels.get(message.channel);
      if (channel) channel.overBudget = true;
    } else if (message.type === 'answer') {
      const socket = waiting.get(message.request);
      waiting.delete(message.request);
      if (socket && !socket.destroyed) reply(socket, message.decision);
    } else post({ type: 'synced', sync: message.sync });
  });
}

if (!isMainThread && parentPort && (workerData as { mark?: string } | null)?.mark === GUARD_THREAD_MARK) serve(parentPort);
