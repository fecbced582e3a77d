import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { buildSessionConfig } from '../../daemon/triage.js';
import { loadTaskFile } from '../../files/load.js';
import { buildSessionEnv, DEFAULT_INHERITED_ENV } from '../../spawner/env.js';
import { ClaudeSessionSpawner } from '../../spawner/spawner.js';
import { createLogger } from '../../utils/logger.js';
import { TASK_CHARTER_LOOKUP } from '../charter-help.js';
import { exitCodeFor, progressLine, ProgressView } from '../progress.js';
import { branchLine } from '../workspace-view.js';

export const RUN_HELP = `vp-daemon run <task.yaml> [--json] [--state DIR] [--charters DIR]

Runs one session in the foreground with a live progress view, and exits with a code for its outcome:
0 completed, 1 failed, 3 crashed, 4 timeout, 5 terminated (2: bad usage or input).
Approvals are asked on the terminal; without one they are denied. Session files go to --state DIR
(default: <working directory>/.vp-daemon); logs (level $VP_DAEMON_LOG_LEVEL, default warn) to stderr.

${TASK_CHARTER_LOOKUP}

Examples:
  vp-daemon run examples/tasks/add-health-check.yaml
  vp-daemon run examples/tasks/add-health-check.yaml --json | jq -c 'select(.event == "ended")'
`;

/** `vp-daemon run`: one session in the foreground. */
export async function runCommand(args: { file: string; json: boolean; stateDir?: string; chartersDir?: string }): Promise<number> {
  const request = await loadTaskFile(resolve(args.file), { chartersDir: args.chartersDir });
  const config = buildSessionConfig(request);
  const logger = createLogger();
  const inheritEnv = DEFAULT_INHERITED_ENV;
  const spawner = new ClaudeSessionSpawner({ stateDir: args.stateDir, inheritEnv, logger });
  const emit = (event: string, data: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
  const view = args.json ? undefined : new ProgressView(process.stdout);
  let lastTool: string | undefined;
  const started = Date.now();

  spawner.on('session-message', ({ message }) => {
    if (message.type !== 'assistant') return;
    const content = (message as { message?: { content?: { type: string; name?: string; input?: Record<string, unknown> }[] } }).message?.content ?? [];
    for (const block of content) {
      if (block.type !== 'tool_use') continue;
      lastTool = `${block.name ?? '?'} ${describeInput(block.input)}`.trim();
      if (args.json) emit('tool', { tool: block.name, input: block.input });
      else view?.note(`  ${lastTool}`);
    }
  });
  spawner.on('tool-blocked', ({ toolName, reason }) => (args.json ? emit('blocked', { toolName, reason }) : view?.note(`  blocked ${toolName}: ${reason}`)));
  spawner.on('approval-requested', (a) => void askApproval(spawner, a, args.json, view));

  const { sessionId, completion } = await spawner.spawnSession(config);
  // The logger hides the values of secret-looking variables.
  logger.debug({ sessionId, taskId: config.taskContext.taskId, env: buildSessionEnv({ base: process.env, inherit: inheritEnv, sessionId }) }, 'session started');
  if (args.json) emit('started', { sessionId, taskId: config.taskContext.taskId });
  else view?.note(`session ${sessionId} (${config.taskContext.taskId})${config.workspace ? `, workspace ${spawner.getSessionStatus(sessionId)?.workspace?.branch ?? ''}` : ''}`);
  const timer = setInterval(() => {
    const status = spawner.getSessionStatus(sessionId);
    if (status && !args.json) view?.update(progressLine(status, Date.now() - started, lastTool));
  }, 200);
  const onSignal = (): void => void spawner.terminateSession(sessionId, true);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const final = await completion;
  clearInterval(timer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (args.json) {
    emit('ended', { sessionId, state: final.state, outcome: final.outcome, tokenUsage: final.tokenUsage, costUsd: final.costUsd, metrics: final.metrics, executionTime: final.executionTime, workspace: final.workspace });
  } else {
    view?.update(progressLine(final, final.executionTime ?? Date.now() - started, lastTool));
    view?.done();
    process.stdout.write(`${final.state} (${final.outcome?.reason ?? ''})${final.resultText ? `: ${final.resultText}` : ''}\nfiles: ${final.files.dir}\n`);
    if (final.workspace) process.stdout.write(`branch: ${branchLine(final.workspace)}${final.workspace.kept ? `\nworkspace kept: ${final.workspace.path}` : ''}\n`);
  }
  return exitCodeFor(final.state);
}

async function askApproval(
  spawner: ClaudeSessionSpawner,
  a: { approvalId: string; toolName: string; input: Record<string, unknown>; reason: string },
  json: boolean,
  view: ProgressView | undefined,
): Promise<void> {
  const what = `${a.toolName} ${describeInput(a.input)}`.trim();
  if (json) process.stdout.write(`${JSON.stringify({ event: 'approval-requested', ...a })}\n`);
  if (!process.stdin.isTTY) {
    spawner.deny(a.approvalId, 'No person is attached to approve it.');
    view?.note(`  denied ${what}: needs approval (${a.reason}) and no terminal is attached`);
    return;
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`\nApprove ${what}? (${a.reason}) [y/N] `);
  rl.close();
  if (/^y(es)?$/i.test(answer.trim())) spawner.approve(a.approvalId);
  else spawner.deny(a.approvalId, 'Denied at the terminal.');
}

// The part of a tool input worth showing: the command or the file path.
function describeInput(input: Record<string, unknown> | undefined): string {
  const value = input?.['command'] ?? input?.['file_path'];
  return typeof value === 'string' ? value : '';
}
