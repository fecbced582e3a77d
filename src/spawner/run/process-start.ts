import { sharedLauncher, type AgentProcess } from '../launcher/client.js';

export type { AgentProcess } from '../launcher/client.js';

/**
 * Starts the CLI through the launcher (the daemon itself never forks); rejects with a {@link SpawnError}
 * if the OS refuses. The process leads its own process group; its streams are paused until read.
 */
export function startProcess(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<AgentProcess> {
  return sharedLauncher().spawn(command, args, cwd, env);
}

