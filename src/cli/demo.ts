import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SessionPool } from '../pool/pool.js';
import { SessionRecoveryManager } from '../recovery/manager.js';
import { findSessionProcesses } from '../spawner/process-tree.js';
import { sandboxSupport } from '../sandbox/probe.js';
import type { Isolation } from '../spawner/options.js';
import { ClaudeSessionSpawner } from '../spawner/spawner.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';
import { startModelServer } from '../testing/model-server.js';
import { scenarioMarker } from '../testing/scenario.js';
import { demoCharter, demoTasks, type DemoTask } from './demo-tasks.js';
import { makeDemoRepository } from './demo-repo.js';
import { printBranches, summarize } from './demo-summary.js';

// Three at once: the three tasks on the demo repository, requested first, start together.
const CONCURRENCY = 3;

const configFor = (repo: string, task: DemoTask, index: number): ClaudeSessionConfig => ({
  workingDirectory: repo,
  ...(task.workspace && { workspace: { keep: 'on-failure' } }),
  charter: demoCharter(task),
  taskContext: { taskId: `DEMO-${index + 1}`, description: `${task.title} ${scenarioMarker(task.scenario.name)}`, priority: task.priority },
  memory: { recentActions: [], conversationHistory: [], preferences: {}, projectContext: {} },
  timeout: task.timeoutMs,
});

// Crashes a session with SIGSEGV while its tool runs the given command (the demo's injected fault).
function crashWhileRunning(spawner: ClaudeSessionSpawner, sessionId: string, command: string): void {
  const timer = setInterval(() => {
    void findSessionProcesses(sessionId).then((pids) => {
      const tool = pids.find((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').startsWith(command);
        } catch {
          return false;
        }
      });
      const cli = spawner.getSessionStatus(sessionId)?.pid;
      if (tool === undefined || cli === undefined) return;
      clearInterval(timer);
      process.kill(cli, 'SIGSEGV');
    });
  }, 100);
  setTimeout(() => clearInterval(timer), 20_000).unref();
}

/**
 * Runs a pool of sessions with mixed priorities through the real Claude CLI against the offline model
 * server: three at once on one demo repository, each in its own git workspace and delivered as a branch; one
 * blocked forbidden command, one approval, one crash recovered by resume, one refused key and one timeout;
 * then prints a summary table and the branches.
 */
export async function runDemo(options: { json: boolean; keep: boolean; out?: (line: string) => void }): Promise<number> {
  const print = options.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const work = mkdtempSync(join(tmpdir(), 'vp-demo-'));
  const home = mkdtempSync(join(tmpdir(), 'vp-demo-home-'));
  const repo = join(work, 'demo-repo');
  const stateDir = join(work, 'state');
  const baseCommit = makeDemoRepository(repo);
  const tasks = demoTasks(repo);
  const server = await startModelServer({ scenarios: tasks.map((t) => t.scenario) });
  // Sandboxed where the machine allows it; elsewhere the demo still runs, and says so (never silently).
  const isolation = await sandboxSupport().then(
    (): Isolation => 'sandbox',
    (error: unknown): Isolation => {
      const why = error instanceof Error ? error.message : String(error);
      if (!options.json) print(`NOTE: sessions run UNSANDBOXED in this demo. ${why}\n`);
      else print(JSON.stringify({ event: 'unsandboxed', reason: why }));
      return 'none';
    },
  );
  // A throwaway HOME and config folder: the demo never touches the user's Claude or shell setup.
  const spawner = new ClaudeSessionSpawner({
    env: { ...server.env, HOME: home, CLAUDE_CONFIG_DIR: join(home, '.claude') },
    logger: pino({ level: 'silent' }),
    stateDir,
    killGraceMs: 2000,
    isolation,
  });
  // One retry per crash: enough to show a recovery by resume, and a timeout that stays a timeout.
  const recovery = new SessionRecoveryManager(spawner, { strategy: 'immediate', maxRetries: 1, crashDumpDirectory: join(stateDir, 'crash-dumps') });
  const pool = new SessionPool(spawner, { maxConcurrentSessions: CONCURRENCY, autoRecovery: true });
  pool.attachRecovery(recovery);
  const title = new Map<string, string>();
  const crashed = new Set<string>();
  // What happened to each task beyond its final state, for the summary (by task title).
  const notes = new Map<string, string[]>();
  const note = (sessionId: string, text: string): void => {
    const key = title.get(sessionId) ?? sessionId;
    notes.set(key, [...(notes.get(key) ?? []), text]);
  };
  const log = (event: string, data: Record<string, unknown>, text: string): void => print(options.json ? JSON.stringify({ event, ...data }) : text);
  pool.on('session-allocated', ({ requestId, sessionId }) => {
    const task = tasks.find((t) => t.title === requestId);
    title.set(sessionId, requestId);
    log('session-allocated', { requestId, sessionId }, `started   ${requestId} [${task?.priority ?? ''}]`);
    if (task?.crashDuring && !crashed.has(requestId)) {
      crashed.add(requestId);
      crashWhileRunning(spawner, sessionId, task.crashDuring);
    }
  });
  spawner.on('tool-blocked', ({ sessionId }) => note(sessionId, 'forbidden command blocked'));
  spawner.on('approval-resolved', ({ sessionId, approved }) => note(sessionId, approved ? 'approved by a person' : 'approval denied'));
  recovery.on('recovery-succeeded', ({ sessionId }) => note(sessionId, 'crashed, resumed'));
  recovery.on('recovery-failed', ({ sessionId, attempts }) => note(sessionId, attempts.length > 0 ? `gave up after ${attempts.length} retry` : 'not retried'));
  spawner.on('tool-blocked', ({ sessionId, reason }) => log('tool-blocked', { sessionId, reason }, `blocked   ${title.get(sessionId) ?? sessionId}: ${reason}`));
  spawner.on('approval-requested', ({ sessionId, approvalId, reason }) => {
    log('approval-requested', { sessionId, approvalId, reason }, `approval  ${title.get(sessionId) ?? sessionId}: ${reason}; the demo reviewer approves`);
    setTimeout(() => spawner.approve(approvalId), 500);
  });
  spawner.on('session-timeout', ({ sessionId, kind }) => log('session-timeout', { sessionId, kind }, `deadline  ${title.get(sessionId) ?? sessionId}: ${kind}`));
  recovery.on('crash-analyzed', ({ sessionId, analysis }) => log('crash-analyzed', { sessionId, crashClass: analysis.crashClass }, `crash     ${title.get(sessionId) ?? sessionId}: ${analysis.rootCause}`));
  recovery.on('recovery-attempt', ({ sessionId, resume }) => log('recovery-attempt', { sessionId, resume }, `recover   ${title.get(sessionId) ?? sessionId}: ${resume ? 'resuming the conversation' : 'starting fresh'}`));
  try {
    if (!options.json) {
      const where = isolation === 'sandbox' ? 'each in a bubblewrap sandbox' : 'unsandboxed';
      print(`vp-daemon demo: ${tasks.length} tasks, ${CONCURRENCY} at a time, ${where}, through the real Claude CLI against an offline model server (${server.url})`);
      print(`The first ${tasks.filter((t) => t.workspace).length} work on one repository at once (${repo}), each in a git workspace on a branch of its own.\n`);
    }
    const runs = await Promise.all(
      tasks.map(
        (task, i) =>
          new Promise<{ task: DemoTask; status: ClaudeSessionStatus }>((done) => {
            void pool.requestSession({
              requestId: task.title,
              config: configFor(repo, task, i),
              priority: task.priority,
              onCompleted: (status) => done({ task, status }),
              onFailed: (error) => done({ task, status: (error as { status?: ClaudeSessionStatus }).status ?? ({ state: 'failed', outcome: { reason: error.message } } as ClaudeSessionStatus) }),
            });
          }),
      ),
    );
    summarize(runs, recovery, notes, options.json, print);
    printBranches(runs, { repo, baseCommit, json: options.json, keep: options.keep, print });
    if (!options.json) print(options.keep ? `Session files and the demo repository kept in ${work}` : 'Run with --keep to keep the session files and the demo repository.');
    return 0;
  } finally {
    await pool.drain(5000);
    recovery.close();
    await server.close();
    // Retried: a session's last files (its guard channel, a crash dump) may still be going away meanwhile.
    const gone = { recursive: true, force: true, maxRetries: 10, retryDelay: 100 };
    if (!options.keep) rmSync(work, gone);
    rmSync(home, gone);
  }
}
