import { ClaudeSessionSpawner, type SpawnerOptions } from '../../src/index.js';
import { startModelServer, type ModelServer, type Scenario } from '../../src/testing/index.js';
import { silentLogger, tempDir } from './fixtures.js';

/** The real Claude CLI against the offline model server, with its own config folder. */
export interface RealCliRig {
  server: ModelServer;
  workDir: string;
  spawner(options?: SpawnerOptions): ClaudeSessionSpawner;
  close(): Promise<void>;
}

export async function startRig(scenarios: readonly Scenario[] = []): Promise<RealCliRig> {
  const server = await startModelServer({ scenarios });
  const work = tempDir('vp-work-');
  const config = tempDir('vp-claude-config-');
  // A clean HOME: the Bash tool's shell snapshot sources ~/.bashrc, and a user's shell setup (pyenv's
  // rehash lock, for one) must not make the tests hang or depend on the machine.
  const home = tempDir('vp-home-');
  const spawners: ClaudeSessionSpawner[] = [];
  return {
    server,
    workDir: work.path,
    spawner: (options = {}) => {
      const spawner = new ClaudeSessionSpawner({
        logger: silentLogger,
        killGraceMs: 2000,
        ...options,
        env: { ...server.env, HOME: home.path, CLAUDE_CONFIG_DIR: config.path, ...options.env },
      });
      spawners.push(spawner);
      return spawner;
    },
    close: async () => {
      for (const spawner of spawners) {
        await Promise.all(spawner.getActiveSessions().map((s) => spawner.terminateSession(s.sessionId, false)));
      }
      await server.close();
      work.remove();
      config.remove();
      home.remove();
    },
  };
}
