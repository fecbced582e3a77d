import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelServer } from '../../src/testing/index.js';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

/** Environment for CLI processes: the offline model server, a throwaway HOME and Claude config. */
export const cliEnv = (server: ModelServer, home: string): NodeJS.ProcessEnv => ({
  ...process.env,
  ...server.env,
  HOME: home,
  CLAUDE_CONFIG_DIR: join(home, '.claude'),
  VP_DAEMON_LOG_LEVEL: 'warn',
});

/** Runs `vp-daemon <args>` to its end. */
export function vp(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { env, cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Starts `vp-daemon serve` and resolves once it serves. */
export function startServe(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    };
    const onData = (): void => {
      const url = /serving on (http:\/\/\S+)/.exec(output)?.[1];
      if (!url) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.off('data', onData);
      resolve({ child, url, output: () => output });
    };
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    child.on('exit', onExit);
    child.stdout.on('data', onData);
  });
}

/** Writes a charter file and a task file naming it; returns the task file's path. */
export function writeTask(dir: string, name: string, scenario: string, extra = ''): string {
  writeFileSync(
    join(dir, 'charters', 'engineer.yaml'),
    [
      'identity: { name: Test VP, email: vp@example.com, role: Engineer }',
      'objectives: [Finish the task]',
      'constraints:',
      "  forbiddenCommands: ['rm -rf']",
      "  forbiddenPatterns: ['/deploy.*production/i']",
      '  requiredApprovals: [deploy]',
      'resources: { maxTokens: 100000, maxExecutionTime: 120000, allowedTools: [read, write, bash] }',
      '',
    ].join('\n'),
  );
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, [`task:`, `  id: ${name}`, `  description: Do ${name} [[scenario:${scenario}]]`, 'charter: engineer', 'workingDirectory: .', extra, ''].join('\n'));
  return file;
}
