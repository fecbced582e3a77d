// The launcher process: agents started through it, their streams straight from the agent, their ends.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Launcher, type AgentProcess } from '../../src/spawner/launcher/client.js';
import { isAlive, waitFor } from '../helpers/fixtures.js';

const read = (stream: NodeJS.ReadableStream): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    stream.on('end', () => resolve(text));
    stream.resume();
  });

const ended = (agent: AgentProcess): Promise<[number | null, NodeJS.Signals | null]> =>
  once(agent, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

describe('Launcher', () => {
  it("kills every agent once this process's loop stops beating for the watch's timeout, and none while it beats", async () => {
    const launcher = new Launcher();
    try {
      launcher.watchHeartbeat(400);
      const agent = await launcher.spawn('/bin/sleep', ['30'], '/tmp', { PATH: '/usr/bin:/bin' });
      const exit = ended(agent);
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(isAlive(agent.pid), true, 'beating: the agent runs on');
      // The event loop stalls (as under SIGSTOP) for longer than the timeout.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
      assert.deepEqual(await exit, [null, 'SIGKILL']);
      launcher.watchHeartbeat(undefined);
      const after = await launcher.spawn('/bin/sleep', ['30'], '/tmp', { PATH: '/usr/bin:/bin' });
      const afterExit = ended(after);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
      assert.equal(isAlive(after.pid), true, 'the watch is off');
      process.kill(after.pid, 'SIGKILL');
      await afterExit;
    } finally {
      launcher.close();
    }
  });

  it('hands over output the agent wrote before anyone listened, and carries stdin to it', async () => {
    const launcher = new Launcher();
    try {
      // Prints at once, then echoes stdin back on stderr.
      const agent = await launcher.spawn('/bin/sh', ['-c', 'echo early; cat >&2'], '/tmp', { PATH: '/usr/bin:/bin' });
      await new Promise((r) => setTimeout(r, 200));
      const out = read(agent.stdout);
      const err = read(agent.stderr);
      const exit = ended(agent);
      agent.stdin.end('through stdin\n');
      assert.equal(await out, 'early\n');
      assert.equal(await err, 'through stdin\n');
      assert.deepEqual(await exit, [0, null]);
      assert.ok(agent.pid > 1);
    } finally {
      launcher.close();
    }
  });

  it('reports exit codes and signals, and emits close after both', async () => {
    const launcher = new Launcher();
    try {
      const coded = await launcher.spawn('/bin/sh', ['-c', 'exit 7'], '/tmp', {});
      const closed = once(coded, 'close');
      coded.stdout.resume();
      coded.stderr.resume();
      assert.deepEqual(await ended(coded), [7, null]);
      await closed;
      const killed = await launcher.spawn('/bin/sleep', ['30'], '/tmp', {});
      killed.stdout.resume();
      killed.stderr.resume();
      process.kill(-killed.pid, 'SIGTERM'); // its own process group
      assert.deepEqual(await ended(killed), [null, 'SIGTERM']);
    } finally {
      launcher.close();
    }
  });

  it('rejects a program that does not exist with a SpawnError', async () => {
    const launcher = new Launcher();
    try {
      await assert.rejects(launcher.spawn('/nonexistent/agent', [], '/tmp', {}), (error: Error & { code?: string; cause?: { code?: string } }) => {
        assert.equal(error.code, 'ERR_SPAWN_FAILED');
        assert.equal(error.cause?.code, 'ENOENT');
        return true;
      });
    } finally {
      launcher.close();
    }
  });

  it('when the launcher dies, its agents are killed and reported, and the next spawn starts a new one', async () => {
    const launcher = new Launcher();
    try {
      const agent = await launcher.spawn('/bin/sleep', ['30'], '/tmp', {});
      agent.stdout.resume();
      agent.stderr.resume();
      const launcherPid = Number((await import('node:fs')).readFileSync(`/proc/${agent.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      process.kill(launcherPid, 'SIGKILL');
      assert.deepEqual(await ended(agent), [null, 'SIGKILL']);
      await waitFor(() => !isAlive(agent.pid), 5000, 'the agent to be gone');
      const next = await launcher.spawn('/bin/sh', ['-c', 'echo again'], '/tmp', {});
      assert.equal(await read(next.stdout), 'again\n');
    } finally {
      launcher.close();
    }
  });
});
