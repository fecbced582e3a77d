// `npm start`'s demo, run as a user runs it: the built command in a child process.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';

const run = promisify(execFile);

describe('vp-daemon demo', () => {
  it('shows three workspaces on one repository, a blocked command, an approval, a crash resumed, a refused key and a timeout', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--json'], { timeout: 120_000 });
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; task?: string; state?: string; outcome?: string; notes?: string[]; untouched?: boolean; workspace?: { branch: string; commits: number; filesChanged: string[] } });
    const row = (task: string) => events.find((e) => e.event === 'summary-row' && e.task === task);
    assert.equal(row('Add a health check')?.state, 'completed');
    assert.deepEqual(row('Clean the build folder')?.notes, ['forbidden command blocked']);
    assert.deepEqual(row('Deploy to staging')?.notes, ['approved by a person']);
    assert.equal(row('Crunch the numbers')?.state, 'completed');
    assert.deepEqual(row('Crunch the numbers')?.notes, ['crashed, resumed']);
    assert.equal(row('Use a revoked API key')?.outcome, 'api_error:auth');
    assert.equal(row('Wait on a stuck API')?.state, 'timeout');
    assert.ok(events.some((e) => e.event === 'summary'));
    const branches = events.filter((e) => e.event === 'branch');
    assert.deepEqual(branches.map((b) => [b.task, b.workspace?.filesChanged, b.workspace?.commits]), [
      ['Add a health check', ['health.ts'], 1],
      ['Write release notes', ['CHANGELOG.md'], 1],
      ['Bump the version', ['VERSION'], 1],
    ]);
    assert.equal(new Set(branches.map((b) => b.workspace?.branch)).size, 3);
    assert.equal(events.find((e) => e.event === 'repository')?.untouched, true);
    // The pool runs three at once: the first three allocated ran together.
    const started = events.filter((e) => e.event === 'session-allocated').map((e) => (e as { requestId?: string }).requestId);
    assert.deepEqual(started.slice(0, 3).sort(), ['Add a health check', 'Bump the version', 'Write release notes']);
  });

  it('--dashboard prints a login URL that logs in, serves until SIGINT, then exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--dashboard'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const login = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no login URL:\n${output}`)), 60_000);
        child.stdout.on('data', () => {
          const url = /Open the dashboard: (\S+)/.exec(output)?.[1];
          if (url) {
            clearTimeout(timer);
            resolve(url);
          }
        });
      });
      const res = await fetch(login, { redirect: 'manual' });
      assert.equal(res.status, 303);
      assert.match(res.headers.get('set-cookie') ?? '', /^vp_session=/);
      const base = login.replace(/\/\?token=.*$/, '');
      const key = /#k=([\w-]+)$/.exec(res.headers.get('location') ?? '')?.[1] ?? '';
      const rows = await fetch(`${base}/v1/sessions/page`, { headers: { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', 'x-vp-key': key } });
      assert.equal(rows.status, 200);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    assert.match(output, /stopping/);
  });
});
