// Case: a workspace made and removed for a repository of 10,000 files (about 100 MB), against a bare
// `git worktree add` / `git worktree remove` of the same repository, interleaved; the same again on a copy of the
// repository with a long history; and the disk a workspace uses.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, removeWorkspace, resolveWorkspaceSpec, workspaceFootprint } from '../src/index.js';
import type { BenchCase, CaseResult } from './report.js';
import { MiB, median, round, tempDir } from './util.js';

const FILES = Number(process.env['BENCH_WORKSPACE_FILES'] ?? 10_000);
const FILE_BYTES = 10 * 1024;
const HISTORY_COMMITS = Number(process.env['BENCH_WORKSPACE_HISTORY'] ?? 2_000);
const WARMUP_PAIRS = 1;
const PAIRS = 5;
const GOAL_RATIO = 1.2;

const git = (cwd: string, args: string[], input?: string): string =>
  execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    input,
    encoding: 'utf8',
    maxBuffer: 256 * MiB,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });

/** `FILES` files of incompressible bytes in 100 folders, one commit. */
function makeRepository(path: string): void {
  mkdirSync(path);
  git(path, ['init', '--quiet']);
  for (let i = 0; i < FILES; i++) {
    const dir = join(path, `d${i % 100}`);
    if (i < 100) mkdirSync(dir);
    writeFileSync(join(dir, `f${i}.bin`), randomBytes(FILE_BYTES));
  }
  git(path, ['add', '--all']);
  git(path, ['commit', '--quiet', '-m', 'tree']);
}

/** Adds `count` commits on main (each changes one file), through fast-import. */
function addHistory(path: string, count: number): void {
  let stream = '';
  for (let i = 0; i < count; i++) {
    const data = `change ${i} ${randomBytes(32).toString('hex')}\n`;
    stream += `commit refs/heads/main\ncommitter Bench <bench@example.com> ${1_700_000_000 + i} +0000\ndata 9\nchange ${String(i % 10)}\n`;
    stream += `${i === 0 ? 'from refs/heads/main^0\n' : ''}M 100644 inline history/h${i % 50}.txt\ndata ${Buffer.byteLength(data)}\n${data}\n`;
  }
  git(path, ['fast-import', '--quiet'], stream);
  git(path, ['reset', '--quiet', '--hard', 'main']);
}

interface Timing {
  create: number;
  remove: number;
}

async function ours(repo: string, root: string, n: number): Promise<Timing> {
  const spec = resolveWorkspaceSpec({ repository: repo, branch: `vp/bench-${n}` }, { workingDirectory: repo, taskId: 'BENCH' });
  const t0 = performance.now();
  const ws = await createWorkspace(spec, { root });
  const t1 = performance.now();
  await removeWorkspace(ws, { force: true });
  return { create: t1 - t0, remove: performance.now() - t1 };
}

function worktree(repo: string, root: string, n: number): Timing {
  const path = join(root, `wt-${n}`);
  const t0 = performance.now();
  git(repo, ['worktree', 'add', '--quiet', '-b', `wt/bench-${n}`, path, 'HEAD']);
  const t1 = performance.now();
  git(repo, ['worktree', 'remove', '--force', path]);
  return { create: t1 - t0, remove: performance.now() - t1 };
}

async function pairs(repo: string, root: string): Promise<{ ours: Timing[]; peer: Timing[] }> {
  const times = { ours: [] as Timing[], peer: [] as Timing[] };
  for (let i = 0; i < WARMUP_PAIRS + PAIRS; i++) {
    // Order alternates, so neither side always runs on a warm page cache.
    const first = i % 2 === 0;
    const a = first ? await ours(repo, root, i) : worktree(repo, root, i);
    const b = first ? worktree(repo, root, i) : await ours(repo, root, i);
    if (i < WARMUP_PAIRS) continue;
    times.ours.push(first ? a : b);
    times.peer.push(first ? b : a);
  }
  return times;
}

const total = (t: Timing[]): number => median(t.map((x) => x.create + x.remove));

async function run(): Promise<CaseResult> {
  const dir = tempDir('workspace');
  try {
    const small = join(dir.path, 'repo');
    const t0 = performance.now();
    makeRepository(small);
    const long = join(dir.path, 'repo-history');
    git(dir.path, ['clone', '--quiet', '--no-hardlinks', small, long]);
    addHistory(long, HISTORY_COMMITS);
    const setupS = (performance.now() - t0) / 1000;
    const root = join(dir.path, 'workspaces');
    const short = await pairs(small, root);
    const history = await pairs(long, root);
    const ws = await createWorkspace(resolveWorkspaceSpec({ repository: small, branch: 'vp/footprint' }, { workingDirectory: small, taskId: 'BENCH' }), { root });
    const footprint = await workspaceFootprint(ws);
    await removeWorkspace(ws, { force: true });
    const objectsBytes = Number(git(small, ['count-objects', '-v']).match(/size-pack: (\d+)/)?.[1] ?? 0) * 1024;

    const ratio = total(short.ours) / total(short.peer);
    const ratioLong = total(history.ours) / total(history.peer);
    const growth = total(history.ours) / total(short.ours);
    const row = (name: string, t: Timing[]) => [name, round(median(t.map((x) => x.create))), round(median(t.map((x) => x.remove))), round(total(t))];
    return {
      name: 'workspace',
      tables: [
        { head: ['ms (median of 5)', 'create', 'remove', 'both'], rows: [row('vp-daemon workspace', short.ours), row('git worktree add/remove', short.peer), row(`workspace, +${HISTORY_COMMITS} commits`, history.ours), row(`worktree, +${HISTORY_COMMITS} commits`, history.peer)] },
        { head: ['workspace disk', 'bytes'], rows: [['git folder', footprint.gitDirBytes], ['objects copied', footprint.objectsBytes], ['checkout (tree)', footprint.treeBytes], ["repository's packed objects", objectsBytes]] },
      ],
      notes: [
        `${FILES} files of ${FILE_BYTES / 1024} KiB (${round((FILES * FILE_BYTES) / MiB)} MiB); set up in ${round(setupS)} s; removal is forced on both sides (no delivery timed)`,
        `with ${HISTORY_COMMITS} more commits: ours ${round(ratioLong, 2)}x the worktree's; ours ${round(growth, 2)}x its own time on the short history, the worktree ${round(total(history.peer) / total(short.peer), 2)}x`,
      ],
      goals: [
        { label: 'create+remove vs git worktree', value: round(ratio, 2), unit: 'x', target: `<= ${GOAL_RATIO}`, pass: ratio <= GOAL_RATIO },
        { label: 'same with a long history', value: round(ratioLong, 2), unit: 'x', target: `<= ${GOAL_RATIO}`, pass: ratioLong <= GOAL_RATIO },
        { label: 'objects copied per workspace', value: footprint.objectsBytes, unit: 'B', target: '0 (only the checkout)', pass: footprint.objectsBytes < 64 * 1024 },
      ],
      data: { files: FILES, historyCommits: HISTORY_COMMITS, short, history, footprint, ratio, ratioLong, growth },
    };
  } finally {
    dir.remove();
  }
}

export const workspaceBench: BenchCase = { name: 'workspace', title: `workspace creation and removal, ${FILES} files, against git worktree`, run };
