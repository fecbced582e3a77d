// Behaviour the real CLI cannot be made to show on demand, driven by the fake agents in test/fixtures.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  findSessionProcesses,
  SESSION_MARKER_VAR,
  SessionNotFoundError,
  SessionNotRunningError,
  type ClaudeSessionStatus,
} from '../../src/index.js';
import { commandLine, fakeRig, killIfMatches, record, within } from '../helpers/fake-agents.js';
import { isAlive, waitFor } from '../helpers/fixtures.js';

// Generous bounds for things that must happen eventually; they only turn a hang into a clear failure.
const HANG_MS = 20_000;

/** The session's final state as stored on disk. */
const statusOnDisk = (status: ClaudeSessionStatus): { state: string; outcome?: { reason: string } } =>
  JSON.parse(readFileSync(join(status.files.dir, 'status.json'), 'utf8')) as { state: string; outcome?: { reason: string } };

describe('crashes and broken output', () => {
  it('a SIGSEGV ends the session crashed with the signal, and it is reported as a crash', async (t) => {
    const rig = fakeRig('segfault');
    t.after(() => rig.close());
    const { sessionId, completion } = await rig.spawner.spawnSession(rig.config());
    const status = await within(completion, HANG_MS, 'the session end');

    assert.equal(status.state, 'crashed');
    assert.equal(status.outcome?.reason, 'signal:SIGSEGV');
    assert.equal(status.signal, 'SIGSEGV');
    assert.equal(status.exitCode, null);
    const reports = rig.spawner.getCrashReports();
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.sessionId, sessionId);
    assert.equal(reports[0]?.signal, 'SIGSEGV');
    assert.equal(reports[0]?.outcome?.reason, 'signal:SIGSEGV');
    assert.match(reports[0]?.lastOutput ?? '', /"subtype":"init"/);
  });

  it(
    'a process that already exited is not turned into a timeout by a deadline passing while its pipes drain',
    async (t) => {
      // Unsandboxed: in a sandbox the orphan dies with the PID namespace, so nothing holds the pipes.
      const rig = fakeRig('exit-1-orphan', { isolation: 'none' });
      t.after(() => rig.close());
      const timeouts = record(rig.spawner, 'session-timeout');
      // The orphan keeps stdout open, so the end waits for the close fallback (2 s); the idle deadline passes
      // meanwhile. It is long enough for the fake to start and exit on a loaded machine.
      const { completion } = await rig.spawner.spawnSession(rig.config({ idleTimeoutMs: 1000 }));
      const status = await within(completion, HANG_MS, 'the session end');

      assert.equal(status.exitCode, 1);
      assert.deepEqual(timeouts, []);
      assert.equal(status.state, 'crashed');
      assert.equal(status.outcome?.reason, 'exit:1');
    },
  );

  for (const isolation of ['none', 'sandbox'] as const) {
    it(`exit code 143 without a result is a crash on SIGTERM (isolation ${isolation})`, async (t) => {
      const rig = fakeRig('exit-143', { isolation });
      t.after(() => rig.close());
      const { completion } = await rig.spawner.spawnSession(rig.config());
      const status = await within(completion, HANG_MS, 'the session end');

      assert.equal(status.state, 'crashed');
      assert.equal(status.outcome?.reason, 'signal:SIGTERM');
      // bwrap reports a death by signal n as exit code 128+n: inside a sandbox, exit(143) and SIGTERM look alike.
      if (isolation === 'none') assert.equal(status.exitCode, 143);
      else assert.deepEqual([status.exitCode, status.signal], [null, 'SIGTERM']);
      assert.equal(rig.spawner.getCrashReports().length, 1);
    });
  }

  it('non-JSON lines, binary junk and JSON that is not a message are counted, not fatal', async (t) => {
    const rig = fakeRig('garbage');
    t.after(() => rig.close());
    const messages = record(rig.spawner, 'session-message');
    const { completion } = await rig.spawner.spawnSession(rig.config());
    const status = await within(completion, HANG_MS, 'the session end');

    assert.equal(status.state, 'completed');
    assert.equal(status.outcome?.reason, 'completed');
    assert.equal(status.resultText, 'ok');
    assert.equal(status.exitCode, 0);
    // 'this is not json', '{"truncated": ', the binary line, '[1,2,3]' and '{"no_type":true}'.
    assert.equal(status.metrics.malformedLines, 5);
    assert.deepEqual(
      messages.map((m) => m.message.type),
      ['system', 'assistant', 'result'],
    );
  });
});

describe('termination', () => {
  it('a process that ignores SIGTERM is killed after killGraceMs and ends terminated, once', async (t) => {
    const rig = fakeRig('ignore-sigterm', { killGraceMs: 300 });
    t.after(() => rig.close());
    const ended = record(rig.spawner, 'session-ended');
    const messages = record(rig.spawner, 'session-message');
    const { sessionId, status: started } = await rig.spawner.spawnSession(rig.config());
    const pid = started.pid;
    assert.ok(pid !== undefined && pid > 0);
    // The fixture installs its SIGTERM handler before it prints init.
    await waitFor(() => messages.some((m) => m.message.type === 'system'), HANG_MS, 'system/init');

    await within(rig.spawner.terminateSession(sessionId, true), HANG_MS, 'terminateSession');

    const status = rig.spawner.getSessionStatus(sessionId);
    assert.equal(status?.state, 'terminated');
    assert.equal(status.outcome?.reason, 'terminated');
    assert.equal(status.signal, 'SIGKILL', 'SIGTERM was ignored, so SIGKILL must have ended it');
    assert.equal(isAlive(pid), false);
    assert.equal(ended.length, 1);
    assert.equal(ended[0]?.sessionId, sessionId);
    assert.equal(ended[0]?.status.state, 'terminated');
    assert.equal(rig.spawner.getCrashReports().length, 0);

    // Terminating an ended session is a no-op: no second end, state unchanged.
    await rig.spawner.terminateSession(sessionId, true);
    await sleep(200);
    assert.equal(ended.length, 1);
    assert.equal(rig.spawner.getSessionStatus(sessionId)?.state, 'terminated');
    assert.equal(statusOnDisk(status).state, 'terminated');
  });

  it('terminateSession(id, false) kills at once, without waiting for the grace period', async (t) => {
    // A grace period far beyond the hang guard: only an immediate SIGKILL lets terminateSession resolve in time.
    const rig = fakeRig('ignore-sigterm', { killGraceMs: 3_600_000 });
    t.after(() => rig.close());
    const ended = record(rig.spawner, 'session-ended');
    const messages = record(rig.spawner, 'session-message');
    const { sessionId, status: started } = await rig.spawner.spawnSession(rig.config());
    await waitFor(() => messages.some((m) => m.message.type === 'system'), HANG_MS, 'system/init');

    await within(rig.spawner.terminateSession(sessionId, false), HANG_MS, 'terminateSession(id, false)');

    const status = rig.spawner.getSessionStatus(sessionId);
    assert.equal(status?.state, 'terminated');
    assert.equal(status.signal, 'SIGKILL');
    assert.equal(isAlive(started.pid ?? 0), false);
    assert.equal(ended.length, 1);
  });
});

describe('deadlines', () => {
  it('no system/init before startupTimeoutMs: timeout:startup', async (t) => {
    const rig = fakeRig('silent');
    t.after(() => rig.close());
    const timeouts = record(rig.spawner, 'session-timeout');
    const { sessionId, completion } = await rig.spawner.spawnSession(rig.config({ startupTimeoutMs: 300 }));
    const status = await within(completion, HANG_MS, 'the session end');

    assert.equal(status.state, 'timeout');
    assert.equal(status.outcome?.reason, 'timeout:startup');
    assert.deepEqual(timeouts, [{ sessionId, kind: 'startup' }]);
  });

  it('no output for idleTimeoutMs after init: timeout:idle', async (t) => {
    const rig = fakeRig('init-then-silent');
    t.after(() => rig.close());
    const timeouts = record(rig.spawner, 'session-timeout');
    const { sessionId, completion } = await rig.spawner.spawnSession(rig.config({ idleTimeoutMs: 300 }));
    const status = await within(completion, HANG_MS, 'the session end');

    assert.equal(status.state, 'timeout');
    assert.equal(status.outcome?.reason, 'timeout:idle');
    assert.deepEqual(timeouts, [{ sessionId, kind: 'idle' }]);
  });

  it('config.timeout is a wall-clock limit, and the state stays timeout', async (t) => {
    const rig = fakeRig('init-then-silent');
    t.after(() => rig.close());
    const timeouts = record(rig.spawner, 'session-timeout');
    const ended = record(rig.spawner, 'session-ended');
    const { sessionId, completion } = await rig.spawner.spawnSession(rig.config({ timeout: 400 }));
    const status = await within(completion, HANG_MS, 'the session end');

    assert.equal(status.state, 'timeout');
    assert.equal(status.outcome?.reason, 'timeout:wall');
    assert.equal(status.signal, 'SIGTERM');
    assert.deepEqual(timeouts, [{ sessionId, kind: 'wall' }]);
    // The process died of the SIGTERM the supervisor sent: that must not turn it into a crash later.
    await sleep(300);
    assert.equal(rig.spawner.getSessionStatus(sessionId)?.state, 'timeout');
    assert.equal(statusOnDisk(status).state, 'timeout');
    assert.equal(rig.spawner.getCrashReports().length, 0);
    assert.equal(ended.length, 1);
    assert.equal(ended[0]?.status.state, 'timeout');
  });

  it('charter maxExecutionTime applies when config.timeout is 0 (the stricter limit wins)', async (t) => {
    const rig = fakeRig('init-then-silent');
    t.after(() => rig.close());
    const config = rig.config({ timeout: 0 });
    config.charter.resources.maxExecutionTime = 400;
    const { completion } = await rig.spawner.spawnSession(config);
    const status = await within(completion, HANG_MS, 'the session end');

    assert.equal(status.state, 'timeout');
    assert.equal(status.outcome?.reason, 'timeout:wall');
  });
});

describe('process containment', () => {
  for (const isolation of ['none', 'sandbox'] as const) {
    it(`every process the session started is gone after it ends; other processes are left alone (isolation ${isolation})`, async (t) => {
      const rig = fakeRig('grandchildren', { isolation });
      const reported: number[] = [];
      // A process of our own, without the session marker: the reaper must not touch it.
      const env = { ...process.env };
      delete env[SESSION_MARKER_VAR];
      const bystander = spawn('sleep', ['300'], { stdio: 'ignore', env });
      const killBystander = (): void => void bystander.kill('SIGKILL');
      process.on('exit', killBystander);
      t.after(async () => {
        process.off('exit', killBystander);
        killBystander();
        if (isolation === 'none') for (const pid of reported) killIfMatches(pid, /^sleep 300$/);
        await rig.close();
      });
      rig.spawner.on('session-message', ({ message }) => {
        if (message.type === 'fixture_pids') reported.push(...(message['pids'] as number[]));
      });

      const { sessionId, completion } = await rig.spawner.spawnSession(rig.config());
      const status = await within(completion, HANG_MS, 'the session end');

      assert.equal(status.state, 'completed');
      assert.equal(reported.length, 4, 'setsid, detached, plain and nohup children');
      for (const pid of reported) assert.ok(Number.isInteger(pid) && pid > 0, `bad pid ${pid}`);
      // In a sandbox the fixture sees its own PID namespace: its pids mean nothing out here, the marker does.
      if (isolation === 'none') await waitFor(() => reported.every((pid) => !isAlive(pid)), 5000, `the session's sleep processes ${reported.join(', ')} to be gone`);
      assert.deepEqual(await findSessionProcesses(sessionId), []);
      assert.ok(bystander.pid !== undefined && isAlive(bystander.pid), 'a process the session did not start was killed');
      assert.equal(commandLine(bystander.pid), 'sleep 300');
    });
  }
});

describe('input and lookups', () => {
  it('sendInput before the session ends is answered with a second result', async (t) => {
    const rig = fakeRig('ok');
    t.after(() => rig.close());
    const messages = record(rig.spawner, 'session-message');
    const { sessionId, completion } = await rig.spawner.spawnSession(rig.config());
    // No stdout can have been read yet (that needs an I/O turn), so the first result is still pending.
    rig.spawner.sendInput(sessionId, 'And one more thing.');
    const status = await within(completion, HANG_MS, 'the session end');

    assert.equal(status.state, 'completed');
    assert.equal(messages.filter((m) => m.message.type === 'result').length, 2);
    assert.equal(status.metrics.turns, 2);
  });

  it(
    'sendInput after the last result but before the process exits is answered or refused, not dropped',
    async (t) => {
      const rig = fakeRig('ok');
      t.after(() => rig.close());
      let refused: unknown;
      let results = 0;
      rig.spawner.on('session-message', ({ sessionId, message }) => {
        if (message.type !== 'result' || ++results > 1) return;
        try {
          rig.spawner.sendInput(sessionId, 'A late follow-up.');
        } catch (error) {
          refused = error;
        }
      });
      const { completion } = await rig.spawner.spawnSession(rig.config());
      const status = await within(completion, HANG_MS, 'the session end');

      if (refused === undefined) assert.equal(status.metrics.turns, 2, 'the follow-up was accepted but never answered');
      else assert.ok(refused instanceof SessionNotRunningError);
    },
  );

  it('sendInput, terminateSession and getSessionStatus reject ended and unknown sessions', async (t) => {
    const rig = fakeRig('ok');
    t.after(() => rig.close());
    const { sessionId, completion } = await rig.spawner.spawnSession(rig.config());
    await within(completion, HANG_MS, 'the session end');

    assert.throws(
      () => rig.spawner.sendInput(sessionId, 'too late'),
      (error: unknown) =>
        error instanceof SessionNotRunningError && error.code === 'ERR_SESSION_NOT_RUNNING' && error.sessionId === sessionId,
    );
    assert.throws(
      () => rig.spawner.sendInput('claude-session-unknown', 'hello'),
      (error: unknown) => error instanceof SessionNotFoundError && error.code === 'ERR_SESSION_NOT_FOUND',
    );
    await assert.rejects(rig.spawner.terminateSession('claude-session-unknown'), { code: 'ERR_SESSION_NOT_FOUND' });
    await assert.rejects(rig.spawner.terminateSession('claude-session-unknown', false), SessionNotFoundError);
    assert.equal(rig.spawner.getSessionStatus('claude-session-unknown'), null);
    // A finished session is known: terminating it again is a no-op.
    await rig.spawner.terminateSession(sessionId);
    assert.equal(rig.spawner.getSessionStatus(sessionId)?.state, 'completed');
  });
});

describe('output', () => {
  it('streams stdout chunks and parsed messages, keeps all of it on disk and only a bounded tail in memory', async (t) => {
    const rig = fakeRig('chatty', { outputTailBytes: 2048 });
    t.after(() => rig.close());
    const outputs = record(rig.spawner, 'session-output');
    const messages = record(rig.spawner, 'session-message');
    const { sessionId, completion } = await rig.spawner.spawnSession(rig.config());
    const status = await within(completion, HANG_MS, 'the session end');

    assert.equal(status.state, 'completed');
    assert.ok(outputs.length > 0);
    assert.ok(outputs.every((o) => o.type === 'stdout' && o.sessionId === sessionId));
    const onDisk = readFileSync(status.files.stdout, 'utf8');
    assert.ok(onDisk.length > 100_000, `only ${onDisk.length} bytes on disk`);
    assert.equal(outputs.map((o) => o.data).join(''), onDisk);

    const lines = onDisk.split('\n').filter((line) => line.length > 0);
    assert.equal(messages.length, lines.length);
    assert.ok(messages.every((m) => m.sessionId === sessionId));
    assert.deepEqual(
      messages.map((m) => m.message),
      lines.map((line) => JSON.parse(line) as unknown),
    );
    assert.deepEqual(messages[0]?.message, { type: 'system', subtype: 'init', session_id: 'x', model: 'fake', claude_code_version: '0.0.0' });
    assert.equal(messages.at(-1)?.message.type, 'result');

    for (const snapshot of [status, rig.spawner.getSessionStatus(sessionId)]) {
      assert.ok(snapshot !== null);
      assert.ok(Buffer.byteLength(snapshot.stdout) <= 2048, `in-memory stdout is ${Buffer.byteLength(snapshot.stdout)} bytes`);
      assert.ok(snapshot.stdout.length > 0);
      assert.ok(onDisk.endsWith(snapshot.stdout), 'the in-memory stdout is the tail of the file');
    }
    assert.match(status.stdout, /"type":"result"/);
  });
});

describe('bookkeeping', () => {
  it('getMetricsSummary counts each session once; cleanupCompletedSessions returns how many it forgot', async (t) => {
    const rig = fakeRig('ok');
    t.after(() => rig.close());
    const totalsAtEnd: number[] = [];
    rig.spawner.on('session-ended', () => totalsAtEnd.push(rig.spawner.getMetricsSummary().totalSessions));
    const a = await rig.spawner.spawnSession(rig.config());
    const b = await rig.spawner.spawnSession(rig.config());
    assert.equal(rig.spawner.getMetricsSummary().totalSessions, 2);
    await within(Promise.all([a.completion, b.completion]), HANG_MS, 'both sessions to end');

    assert.equal(totalsAtEnd.length, 2);
    assert.equal(totalsAtEnd[1], 2);
    assert.ok(totalsAtEnd.every((n) => n <= 2), `totals seen at session end: ${totalsAtEnd.join(', ')}`);
    const summary = rig.spawner.getMetricsSummary();
    assert.equal(summary.totalSessions, 2);
    assert.equal(summary.activeSessions, 0);
    assert.equal(summary.completedSessions, 2);
    assert.equal(summary.totalTokensUsed, 30);
    assert.ok(Math.abs(summary.totalCostUsd - 0.002) < 1e-9);

    assert.equal(rig.spawner.cleanupCompletedSessions(), 2);
    assert.equal(rig.spawner.getSessionStatus(a.sessionId), null);
    assert.equal(rig.spawner.getMetricsSummary().totalSessions, 0);
    assert.equal(rig.spawner.cleanupCompletedSessions(), 0);
  });
});
