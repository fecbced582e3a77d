import { copyFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { bwrapArgs, SANDBOX_RUN_DIR } from '../sandbox/bwrap-args.js';
import { planSandbox, realpathOf } from '../sandbox/layout.js';
import type { SandboxSupport } from '../sandbox/probe.js';

/** The program that runs the CLI, and the arguments before the CLI's own (bwrap and its options). */
export interface Invocation {
  command: string;
  prefix: string[];
}

/** What {@link sandboxInvocation} lays out. `env` gets `HOME` filled in. */
export interface SandboxInput {
  command: string;
  cwd: string;
  stateDir: string;
  env: Record<string, string>;
  runDir: string;
  socketDir: string;
  readOnlyPaths?: readonly string[];
  writablePaths?: readonly string[];
}

/** Wraps the CLI in bubblewrap: the plan is read off the machine, the exec guard preloaded into every program. */
export async function sandboxInvocation(support: SandboxSupport, input: SandboxInput): Promise<Invocation> {
  const { env } = input;
  const home = env['HOME'] ?? homedir();
  env['HOME'] = home;
  await copyFile(support.execGuardPath, join(input.runDir, 'exec-guard.so'));
  const plan = await planSandbox({
    workDir: input.cwd,
    stateDir: input.stateDir,
    home,
    configDir: env['CLAUDE_CONFIG_DIR'] ?? '',
    runDir: input.runDir,
    socketDir: input.socketDir,
    command: input.command,
    pathEnv: env['PATH'] ?? '',
    readOnly: input.readOnlyPaths,
    writable: input.writablePaths,
    env: { LD_PRELOAD: `${SANDBOX_RUN_DIR}/exec-guard.so` },
  });
  // By its real path: the sandbox shows the CLI's own folder, not a symlink's (node_modules/.bin/claude).
  return { command: support.bwrapPath, prefix: [...bwrapArgs(plan), '--', await realpathOf(input.command)] };
}
