// The demo's closing output: what each task did, and the branches its workspaces delivered.
import { execFileSync } from 'node:child_process';
import type { SessionRecoveryManager } from '../recovery/manager.js';
import type { ClaudeSessionStatus } from '../session/types.js';
import type { DemoTask } from './demo-tasks.js';
import { renderTable } from './table.js';
import { diffstat } from '../workspace/diffstat.js';

type Run = { task: DemoTask; status: ClaudeSessionStatus };

export function summarize(
  runs: Run[],
  recovery: SessionRecoveryManager,
  notes: Map<string, string[]>,
  json: boolean,
  print: (line: string) => void,
): void {
  const rows = runs.map(({ task, status: s }) => [
    task.title,
    task.priority,
    s.state,
    s.outcome?.reason ?? '',
    String(s.tokenUsage?.total ?? 0),
    `$${(s.costUsd ?? 0).toFixed(4)}`,
    String(s.metrics?.commandsExecuted ?? 0),
    String(s.metrics?.filesModified ?? 0),
    `${((s.executionTime ?? 0) / 1000).toFixed(1)}s`,
    (notes.get(task.title) ?? []).join('; '),
  ]);
  const stats = recovery.getRecoveryStats();
  if (json) {
    for (const { task, status } of runs) print(JSON.stringify({ event: 'summary-row', task: task.title, priority: task.priority, state: status.state, outcome: status.outcome?.reason, tokens: status.tokenUsage?.total, notes: notes.get(task.title) ?? [] }));
    print(JSON.stringify({ event: 'summary', recovery: stats }));
    return;
  }
  print('');
  print(renderTable(['task', 'priority', 'state', 'outcome', 'tokens', 'cost', 'commands', 'files', 'time', 'what happened'], rows));
  print(`\n${stats.totalCrashes} crash(es), ${stats.successfulRecoveries} recovered by resume; ${runs.filter((r) => r.status.state === 'completed').length} of ${runs.length} tasks completed.`);
}

/** The branches of the workspace tasks, and a check that the repository's own tree and branch did not move. */
export function printBranches(runs: Run[], o: { repo: string; baseCommit: string; json: boolean; keep: boolean; print: (line: string) => void }): void {
  const delivered = runs.filter((r) => r.task.workspace);
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: o.repo, encoding: 'utf8' }).trim();
  const untouched = git('status', '--porcelain') === '' && git('rev-parse', 'HEAD') === o.baseCommit;
  if (o.json) {
    for (const { task, status } of delivered) print(o, { event: 'branch', task: task.title, workspace: status.workspace });
    print(o, { event: 'repository', path: o.repo, untouched });
    return;
  }
  o.print(`\nBranches delivered to ${o.repo}${o.keep ? ` (review one with: git -C ${o.repo} log -p main..<branch>)` : ''}:`);
  const rows = delivered.map(({ task, status }) => {
    const ws = status.workspace;
    const lastCommit = ws ? git('log', '-1', '--format=%s (%an)', ws.headCommit) : '';
    return [task.title, ws?.branch ?? '(none)', ws ? diffstat(ws) : '', lastCommit, ws?.error ? `not delivered: ${ws.error}` : ''];
  });
  o.print(renderTable(['task', 'branch', 'changes', 'last commit', ''], rows));
  o.print(`The repository's own tree and main: ${untouched ? 'untouched' : 'CHANGED'}.`);
}

const print = (o: { print: (line: string) => void }, event: Record<string, unknown>): void => o.print(JSON.stringify(event));
