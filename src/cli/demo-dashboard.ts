// `vp-daemon demo --dashboard`: the demo's tasks on a daemon of their own, watched and steered in the dashboard.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOrCreateToken } from '../api/server.js';
import { VPDaemon } from '../daemon/daemon.js';
import { sandboxSupport } from '../sandbox/probe.js';
import { startModelServer } from '../testing/model-server.js';
import { scenarioMarker } from '../testing/scenario.js';
import { createLogger } from '../utils/logger.js';
import { serveDaemon, untilSignal } from './commands/serve.js';
import { makeDemoRepository } from './demo-repo.js';
import { demoCharter, demoTasks } from './demo-tasks.js';

/** Runs the demo's tasks on a daemon with the dashboard, prints the login URL, and serves until Ctrl-C. */
export async function runDashboardDemo(options: { host: string; port: number }): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'vp-demo-'));
  const home = join(work, 'home');
  const repo = join(work, 'demo-repo');
  makeDemoRepository(repo);
  const tasks = demoTasks(repo);
  const server = await startModelServer({ scenarios: tasks.map((t) => t.scenario) });
  const isolation = await sandboxSupport().then(
    () => 'sandbox' as const,
    () => 'none' as const,
  );
  const daemon = new VPDaemon({
    stateDir: join(work, 'state'),
    maxSessions: 3,
    logger: createLogger('warn'),
    spawner: { env: { ...server.env, HOME: home, CLAUDE_CONFIG_DIR: join(home, '.claude') }, isolation, killGraceMs: 2000 },
    recovery: { strategy: 'immediate', maxRetries: 1 },
  });
  try {
    await daemon.start();
    const serving = await serveDaemon(daemon, { host: options.host, port: options.port, logger: createLogger('warn') });
    try {
      for (const task of tasks) {
        await daemon.handleTriageRequest({
          task: { id: task.title.replace(/\W+/g, '-').toUpperCase(), description: `${task.title} ${scenarioMarker(task.scenario.name)}` },
          charter: demoCharter(task),
          workingDirectory: repo,
          urgency: task.priority,
          ...(task.timeoutMs !== undefined && { timeout: task.timeoutMs }),
          ...(task.workspace && { workspace: 'git' as const }),
        });
      }
      const token = await readOrCreateToken(daemon.stateDir);
      process.stdout.write(`vp-daemon demo: ${tasks.length} tasks on a daemon (${isolation === 'sandbox' ? 'sandboxed' : 'UNSANDBOXED'}), 3 at a time.\n`);
      process.stdout.write(`Open the dashboard: ${serving.url}/?token=${encodeURIComponent(token)}\n`);
      process.stdout.write('The deploy waits for you to click Approve. Ctrl-C stops the demo.\n');
      await untilSignal();
      process.stdout.write('vp-daemon demo: stopping (running sessions get 5 s to finish)...\n');
    } finally {
      await serving.close();
    }
  } finally {
    await daemon.stop(5000);
    await server.close();
    rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
  return 0;
}
