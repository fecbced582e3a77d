// Case: what exec-level enforcement adds to one command. A bash loop of 200 commands, with and without the exec
// guard preloaded (connected to a real guard socket and charter): `true` (not named by the charter: the shim's
// local filter only) and `rm -f` of a missing file (named: one round trip to the daemon, then allowed).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openGuardChannel } from '../src/guard/channel.js';
import { SessionGuard } from '../src/guard/session-guard.js';
import { execGuardLibraryPath, execGuardNames, renderExecGuardConfig } from '../src/sandbox/exec-guard.js';
import type { VPCharter } from '../src/session/types.js';
import type { BenchCase, CaseResult } from './report.js';
import { median, round, tempDir } from './util.js';

const COMMANDS = 200;
const RUNS = 15;
const GOAL_MS = 2;

const charter: VPCharter = {
  identity: { name: 'Bench', email: 'bench@example.com', role: 'Engineer' },
  objectives: [],
  constraints: { forbiddenCommands: ['rm -rf', 'git push --force'], forbiddenPatterns: [], requiredApprovals: ['deploy'] },
  resources: { maxTokens: 1000, maxExecutionTime: 60_000, allowedTools: ['bash'] },
};

/** Wall time of one bash loop, in ms. Runs asynchronously so the guard socket on this event loop can answer. */
async function loop(command: string, env: NodeJS.ProcessEnv): Promise<number> {
  const { spawn } = await import('node:child_process');
  const script = `for i in $(seq ${COMMANDS}); do ${command}; done`;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} loop exited ${code}`))));
  });
  return performance.now() - t0;
}

async function run(): Promise<CaseResult> {
  const library = execGuardLibraryPath();
  if (library === undefined) throw new Error('dist/native/exec-guard.so is not built (npm run build needs a C compiler)');
  if (spawnSync('test', ['-e', '/run/vp-daemon/exec-guard.conf']).status === 0) throw new Error('/run/vp-daemon/exec-guard.conf exists and would win');
  const dir = tempDir('exec-guard');
  const guard = new SessionGuard('bench', charter, 60_000, { isOverBudget: () => false, approvalRequested: () => undefined, approvalSettled: () => undefined, blocked: () => undefined });
  const channel = await openGuardChannel(dir.path, guard.channelHandlers());
  try {
    const conf = join(dir.path, 'exec-guard.conf');
    writeFileSync(conf, renderExecGuardConfig({ socketPath: channel.socketPath, token: channel.token, names: execGuardNames(charter.constraints) }));
    const plain = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    const guarded = { ...plain, LD_PRELOAD: library, VP_EXEC_GUARD_CONF: conf };
    const cases = [
      { name: '`true` (not named: local filter only)', command: 'true_=$(command -v true); "$true_"' },
      { name: '`rm -f` of a missing file (named: asks the daemon)', command: 'rm -f ./missing-file' },
    ];
    const rows: (string | number)[][] = [];
    const perCommand: Record<string, number> = {};
    for (const c of cases) {
      const times = { plain: [] as number[], guarded: [] as number[] };
      for (let i = 0; i < RUNS; i += 1) {
        times.plain.push(await loop(c.command, plain));
        times.guarded.push(await loop(c.command, guarded));
      }
      const added = (median(times.guarded) - median(times.plain)) / COMMANDS;
      perCommand[c.name] = added;
      rows.push([c.name, round(median(times.plain) / COMMANDS, 3), round(median(times.guarded) / COMMANDS, 3), round(added, 3)]);
    }
    const worst = Math.max(...Object.values(perCommand));
    return {
      name: 'exec-guard',
      tables: [{ head: ['command', 'plain ms/cmd', 'guarded ms/cmd', 'added ms/cmd'], rows }],
      notes: [`bash loops of ${COMMANDS} commands, ${RUNS} interleaved runs each, medians; the guard answers from this process`],
      goals: [{ label: 'exec guard cost per command (worst case)', value: round(worst, 3), unit: 'ms', target: `< ${GOAL_MS}`, pass: worst < GOAL_MS }],
      data: perCommand,
    };
  } finally {
    await channel.close();
    dir.remove();
  }
}

export const execGuard: BenchCase = { name: 'exec-guard', title: 'Exec-level enforcement: added cost per command', run };
