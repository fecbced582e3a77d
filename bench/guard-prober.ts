// Times the guard's answers from outside the daemon, as a session's hook sees them: every PROBE_EVERY_MS
// it asks the next running session's guard (round robin over the channel files in the state folder) about
// a Read call, and measures from connect to the full answer. On SIGTERM prints one JSON line: the samples as
// [epoch ms when asked, latency ms] pairs, and how many asked a session that had just ended.
import { readdir, readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const PROBE_EVERY_MS = 10;
const stateDir = process.argv[2] ?? '';
const samples: [number, number][] = [];
let failed = 0;
let stopping = false;

interface Channel {
  socket: string;
  token: string;
}

async function channels(): Promise<Channel[]> {
  const sessions = await readdir(join(stateDir, 'sessions')).catch(() => []);
  const found = await Promise.all(
    sessions.map((s) => readFile(join(stateDir, 'sessions', s, 'guard-channel.json'), 'utf8').then((t) => JSON.parse(t) as Channel, () => undefined)),
  );
  return found.filter((c): c is Channel => c !== undefined);
}

function ask(channel: Channel, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = createConnection(channel.socket);
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('end', () => {
      socket.destroy();
      if (answer.includes('"decision"')) resolve(performance.now() - t0);
      else reject(new Error(`no decision: ${answer}`));
    });
    const call = { tool_name: 'Read', tool_input: { file_path: 'README.md' }, tool_use_id: `toolu_probe_${n}` };
    socket.write(`${JSON.stringify({ token: channel.token, call })}\n`);
  });
}


process.on('SIGTERM', () => {
  stopping = true;
});

let known: Channel[] = [];
let n = 0;
while (!stopping) {
  if (n % 50 === 0 || known.length === 0) known = await channels();
  const channel = known[n % Math.max(known.length, 1)];
  n += 1;
  if (channel) {
    try {
      const at = Date.now();
      samples.push([at, await ask(channel, n)]);
    } catch {
      failed += 1; // the session ended meanwhile
    }
  }
  await sleep(PROBE_EVERY_MS);
}
console.log(JSON.stringify({ samples, failed }));
