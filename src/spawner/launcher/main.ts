// The launcher: a small process that starts agents for the daemon, so that the daemon never forks. A fork
// copies the page tables of the process that forks, and blocks its event loop until the child has
// exec'd: milliseconds per session in a daemon that holds hundreds of them, microseconds here.
// Requests come as JSON lines on stdin; reports go out on stdout. When stdin ends (the daemon is gone),
// the launcher exits, and sandboxes (bwrap --die-with-parent) end with it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { helloLine, STDIO_NAMES, type LauncherReport, type LauncherRequest, type SpawnRequest } from './protocol.js';

const report = (message: LauncherReport): void => void process.stdout.write(`${JSON.stringify(message)}\n`);

async function connect(request: SpawnRequest): Promise<Socket[]> {
  const sockets = STDIO_NAMES.map((stream) => {
    const socket = createConnection(request.socketPath);
    socket.write(helloLine(request.token, request.id, stream));
    return socket;
  });
  try {
    await Promise.all(sockets.map((s) => once(s, 'connect')));
    return sockets;
  } catch (error) {
    for (const s of sockets) s.destroy();
    throw error;
  }
}

async function launch(request: SpawnRequest): Promise<void> {
  let sockets: Socket[];
  try {
    sockets = await connect(request);
  } catch (error) {
    return report({ type: 'failed', id: request.id, message: `cannot reach the daemon's stdio socket: ${(error as Error).message}` });
  }
  let child: ReturnType<typeof spawn>;
  try {
    // detached: the agent leads its own process group, so the daemon can signal the group as one.
    child = spawn(request.command, request.args, { cwd: request.cwd, env: request.env, detached: true, stdio: sockets });
  } catch (error) {
    return report({ type: 'failed', id: request.id, message: (error as Error).message, code: (error as NodeJS.ErrnoException).code });
  } finally {
    // The child holds its own copies of the sockets now; the daemon owns the other ends.
    for (const s of sockets) s.destroy();
  }
  child.once('spawn', () => {
    if (child.pid !== undefined) agents.add(child.pid);
    report({ type: 'spawned', id: request.id, pid: child.pid ?? -1 });
  });
  child.once('error', (error: NodeJS.ErrnoException) => {
    if (child.pid === undefined) report({ type: 'failed', id: request.id, message: error.message, code: error.code });
  });
  child.once('exit', (code, signal) => {
    if (child.pid !== undefined) agents.delete(child.pid);
    report({ type: 'exit', id: request.id, code, signal });
  });
}

// The watch of the daemon's heartbeat (see BeatRequest).
const agents = new Set<number>();
let watch: { timeoutMs: number; lastBeatMs: number } | undefined;
setInterval(() => {
  if (!watch || Date.now() - watch.lastBeatMs <= watch.timeoutMs) return;
  for (const pid of agents) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}, 200).unref();

createInterface({ input: process.stdin }).on('line', (line) => {
  let request: LauncherRequest;
  try {
    request = JSON.parse(line) as LauncherRequest;
  } catch {
    return; // only the daemon writes here
  }
  if (request.type === 'beat') {
    watch = request.timeoutMs === undefined ? undefined : { timeoutMs: request.timeoutMs, lastBeatMs: Date.now() };
    return;
  }
  void launch(request);
});
process.stdin.once('end', () => process.exit(0));
process.stdout.once('error', () => process.exit(0));
