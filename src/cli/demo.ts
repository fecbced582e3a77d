import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ClaudeSessionSpawner } from '../spawner/spawner.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../spawner/types.js';
import { startModelServer } from '../testing/model-server.js';
import { apiError, bash, hang, say, scenarioMarker, write, type Scenario } from '../testing/scenario.js';
import { renderTable } from './table.js';

interface DemoTask {
  title: string;
  scenario: Scenario;
  timeoutMs?: number;
}

const demoTasks = (work: string): DemoTask[] => [
  {
    title: 'Add a health check',
    scenario: {
      name: 'health',
      steps: [bash('ls -la && echo checking'), write(join(work, 'health.ts'), 'export const health = () => "ok";\n'), bash('cat health.ts'), say('Added health.ts.', { input: 1200, output: 300 })],
    },
  },
  {
    title: 'Write release notes',
    scenario: {
      name: 'notes',
      steps: [write(join(work, 'NOTES.md'), '# Release notes\n'), write(join(work, 'CHANGELOG.md'), '## 0.1.0\n'), say('Notes written.', { input: 800, output: 150 })],
    },
  },
  { title: 'Use a revoked API key', scenario: { name: 'revoked', steps: [apiError(401, { message: 'invalid x-api-key' })] } },
  { title: 'Wait on a stuck API', scenario: { name: 'stuck', steps: [hang()] }, timeoutMs: 4000 },
];

function configFor(work: string, task: DemoTask, index: number): ClaudeSessionConfig {
  return {
    workingDirectory: work,
    charter: {
      identity: { name: 'Demo VP', email: 'vp@example.com', role: 'Engineer' },
      objectives: [task.title],
      constraints: { forbiddenCommands: ['rm -rf', 'git push --force'], forbiddenPatterns: [/deploy.*production/i], requiredApprovals: ['deploy'] },
      resources: { maxTokens: 200_000, maxExecutionTime: 60_000, allowedTools: ['read', 'write', 'bash'] },
    },
    taskContext: { taskId: `DEMO-${index + 1}`, description: `${task.title} ${scenarioMarker(task.scenario.name)}`, priority: 'high' },
    memory: { recentActions: [], conversationHistory: [], preferences: {}, projectContext: {} },
    timeout: task.timeoutMs,
  };
}

const row = (task: DemoTask, s: ClaudeSessionStatus): string[] => [
  task.title,
  s.state,
  s.outcome?.reason ?? '',
  String(s.tokenUsage.total),
  `$${s.costUsd.toFixed(4)}`,
  String(s.metrics.commandsExecuted),
  String(s.metrics.filesModified),
  `${((s.executionTime ?? 0) / 1000).toFixed(1)}s`,
];

/** Runs a few sessions through the real Claude CLI against the offline model server and prints what happened. */
export async function runDemo(options: { json: boolean; keep: boolean; out?: (line: string) => void }): Promise<number> {
  const print = options.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const work = mkdtempSync(join(tmpdir(), 'vp-demo-'));
  const configDir = mkdtempSync(join(tmpdir(), 'vp-demo-claude-'));
  const tasks = demoTasks(work);
  const server = await startModelServer({ scenarios: tasks.map((t) => t.scenario) });
  const spawner = new ClaudeSessionSpawner({
    // A throwaway HOME and config folder: the demo never touches the user's Claude or shell setup.
    env: { ...server.env, HOME: configDir, CLAUDE_CONFIG_DIR: join(configDir, '.claude') },
    logger: pino({ level: 'silent' }),
    killGraceMs: 2000,
  });
  const titles = new Map<string, string>();
  const log = (event: string, data: Record<string, unknown>, text: string): void =>
    print(options.json ? JSON.stringify({ event, ...data }) : text);
  spawner.on('session-timeout', ({ sessionId, kind }) => log('session-timeout', { sessionId, kind }, `deadline ${titles.get(sessionId) ?? sessionId}: ${kind}`));
  spawner.on('session-ended', ({ sessionId, status }) =>
    log('session-ended', { sessionId, state: status.state, outcome: status.outcome?.reason }, `ended    ${titles.get(sessionId) ?? sessionId}: ${status.state} (${status.outcome?.reason ?? ''})`),
  );
  try {
    if (!options.json) print(`vp-daemon demo: ${tasks.length} sessions of the real Claude CLI against an offline model server (${server.url})\n`);
    const runs = await Promise.all(
      tasks.map(async (task, i) => {
        const config = configFor(work, task, i);
        const { sessionId, status, completion } = await spawner.spawnSession(config);
        titles.set(sessionId, task.title);
        log('session-spawned', { sessionId, pid: status.pid }, `started  ${task.title} (pid ${status.pid ?? '?'})`);
        return { task, status: await completion };
      }),
    );
    const summary = spawner.getMetricsSummary();
    if (options.json) {
      for (const { task, status } of runs) print(JSON.stringify({ event: 'summary-row', task: task.title, ...status, stdout: undefined, stderr: undefined }));
      print(JSON.stringify({ event: 'summary', ...summary }));
    } else {
      print('');
      print(renderTable(['task', 'state', 'outcome', 'tokens', 'cost', 'commands', 'files', 'time'], runs.map(({ task, status }) => row(task, status))));
      print(`\n${summary.totalSessions} sessions: ${summary.completedSessions} completed, ${summary.failedSessions} failed, ${summary.timedOutSessions} timed out; ${summary.totalTokensUsed} tokens.`);
      print(options.keep ? `Session files kept in ${work}/.vp-daemon/sessions` : 'Run with --keep to keep the session files.');
    }
    return 0;
  } finally {
    await server.close();
    if (!options.keep) rmSync(work, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
  }
}
