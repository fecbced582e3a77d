import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DaemonStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/fixtures.js';

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  assert.equal(child.status, 0);
  return child.pid ?? assert.fail('no pid');
}

void describe('DaemonStore: one daemon per state folder', () => {
  let dir: ReturnType<typeof tempDir>;
  let lock: string;
  beforeEach(() => {
    dir = tempDir('vp-store-lock-');
    lock = join(dir.path, 'daemon.lock');
  });
  afterEach(() => dir.remove());

  const owner = () => JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; startedAt: string };

  void it('a second open in the same process → ERR_DAEMON_RUNNING with the pid; after close a new open works', () => {
    const first = DaemonStore.open(dir.path);
    assert.equal(owner().pid, process.pid);
    assert.ok(!Number.isNaN(Date.parse(owner().startedAt)));
    assert.equal(statSync(lock).mode & 0o777, 0o600);
    assert.throws(() => DaemonStore.open(dir.path), (error: Error & { code?: string; pid?: number }) => {
      assert.equal(error.code, 'ERR_DAEMON_RUNNING');
      assert.equal(error.pid, process.pid);
      assert.match(error.message, new RegExp(`pid ${process.pid}`));
      return true;
    });
    symlinkSync(dir.path, join(dir.path, 'self'));
    assert.throws(() => DaemonStore.open(join(dir.path, 'self')), { code: 'ERR_DAEMON_RUNNING' }); // same folder, other path
    first.close();
    assert.equal(existsSync(lock), false);
    const second = DaemonStore.open(dir.path);
    second.close();
  });

  void it('a lock held by another live process → ERR_DAEMON_RUNNING naming its pid; the lock is left alone', async () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const pid = other.pid ?? assert.fail('no pid');
      const text = JSON.stringify({ pid, startedAt: new Date().toISOString() });
      writeFileSync(lock, text);
      assert.throws(() => DaemonStore.open(dir.path), { code: 'ERR_DAEMON_RUNNING', pid, message: new RegExp(`pid ${pid}\\b`) });
      assert.equal(readFileSync(lock, 'utf8'), text);
    } finally {
      other.kill('SIGKILL');
      await once(other, 'exit');
    }
  });

  void it('a stale lock (its pid is dead) is taken over', () => {
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), startedAt: new Date(0).toISOString() }));
    const store = DaemonStore.open(dir.path);
    assert.equal(owner().pid, process.pid);
    store.close();
    assert.equal(existsSync(lock), false);
  });

  void it('a stale lock holding a bare pid, or our own pid left by an earlier process (pid reuse), is taken over', () => {
    for (const text of [`${deadPid()}\n`, JSON.stringify({ pid: process.pid, startedAt: new Date(0).toISOString() })]) {
      writeFileSync(lock, text);
      const store = DaemonStore.open(dir.path);
      assert.notEqual(readFileSync(lock, 'utf8'), text);
      store.close();
    }
  });

  void it('a lock file that stays unreadable (owner died before writing it) is taken over after a grace period', () => {
    writeFileSync(lock, '');
    const started = Date.now();
    DaemonStore.open(dir.path).close();
    assert.ok(Date.now() - started >= 500);
  });

  void it('close removes the lock only if it is still ours', () => {
    const store = DaemonStore.open(dir.path);
    const foreign = JSON.stringify({ pid: 1, startedAt: new Date().toISOString() });
    writeFileSync(lock, foreign);
    store.close();
    assert.equal(readFileSync(lock, 'utf8'), foreign);
  });
});
