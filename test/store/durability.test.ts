import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DaemonStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/fixtures.js';

const storeUrl = pathToFileURL(join(import.meta.dirname, '../../src/store/index.ts')).href;

// The child sets up a finished request/session pair and an unfinished one, then inserts one request per tick and
// prints each id once its transaction has committed, until it is killed.
const CHILD = `
import { DaemonStore } from ${JSON.stringify(storeUrl)};
const store = DaemonStore.open(process.env.STATE_DIR);
const triage = { task: { id: 'T' }, charter: { constraints: { forbiddenPatterns: [/force.*push/i] } } };
store.insertRequest({ requestId: 'r-done', priority: 'high', triage, state: 'running' });
store.recordSessionStarted({ sessionId: 's-done', requestId: 'r-done', claudeSessionId: 'c-1', pid: 101, workingDirectory: '/w', startedAt: new Date(1000) });
store.transaction(() => {
  store.recordSessionEnded('s-done', { state: 'completed', outcome: 'completed', endedAt: new Date(2000), status: { costUsd: 0.5 } });
  store.updateRequest('r-done', { state: 'completed', sessionId: 's-done' });
});
store.transaction(() => {
  store.insertRequest({ requestId: 'r-open', priority: 'low', triage, state: 'running', attempts: 1 });
  store.recordSessionStarted({ sessionId: 's-open', requestId: 'r-open', claudeSessionId: 'c-2', pid: 102, workingDirectory: '/w', startedAt: new Date(3000) });
  store.updateRequest('r-open', { sessionId: 's-open' });
});
process.stdout.write('setup\\n');
let i = 0;
setInterval(() => {
  const id = 'q-' + i++;
  store.insertRequest({ requestId: id, priority: 'medium', triage: { n: i }, state: 'queued' });
  process.stdout.write(id + '\\n');
}, 1);
`;

void describe('DaemonStore: durability across a SIGKILL', () => {
  const dir = tempDir('vp-store-kill-');
  after(() => dir.remove());

  void it('every committed row survives; the unfinished session is reported; the stale lock is taken over', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      env: { ...process.env, STATE_DIR: dir.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const committed: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not get going: ${stderr}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const lines = stdout.split('\n').slice(0, -1);
        if (lines[0] === 'setup' && lines.length > 60) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`child exited early: ${stderr}`)));
    });
    child.kill('SIGKILL');
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null]; // reaped: its pid is dead now
    assert.equal(signal, 'SIGKILL');
    committed.push(...stdout.split('\n').slice(0, -1).filter((line) => line.startsWith('q-'))); // the text after the last newline may be partial

    const lock = join(dir.path, 'daemon.lock');
    assert.equal((JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid, child.pid, 'the killed child left its lock');
    assert.ok(existsSync(join(dir.path, 'vp-daemon.db-wal')), 'rows were still in the WAL');

    const store = DaemonStore.open(dir.path);
    try {
      assert.equal((JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid, process.pid);
      const stored = new Set(store.listRequests({ state: 'queued' }).map((r) => r.requestId));
      assert.ok(committed.length > 50);
      for (const id of committed) assert.ok(stored.has(id), `committed ${id} was lost`);
      assert.equal(store.getRequest('r-done')?.state, 'completed');
      assert.deepEqual(store.getRequest('r-done')?.triage, { task: { id: 'T' }, charter: { constraints: { forbiddenPatterns: ['/force.*push/i'] } } });
      assert.deepEqual(store.getSession('s-done')?.status, { costUsd: 0.5 });
      assert.deepEqual(store.unfinishedSessions(), [
        { sessionId: 's-open', requestId: 'r-open', claudeSessionId: 'c-2', pid: 102, workingDirectory: '/w', state: 'running', startedAt: new Date(3000) },
      ]);
      assert.deepEqual(store.getRequest('r-open')?.sessionId, 's-open');
    } finally {
      store.close();
    }
  });
});
