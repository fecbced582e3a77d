// The guard thread with real sockets: what it answers alone, what it forwards, and that it answers while the
// daemon's event loop is blocked.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openGuardChannel, type GuardChannel, type GuardDecision, type HookCall } from '../../src/guard/channel.js';
import { guardThread } from '../../src/guard/guard-thread-client.js';
import { SessionGuard } from '../../src/guard/session-guard.js';
import { makeConfig } from '../helpers/fixtures.js';

function ask(channel: GuardChannel, request: object, token = channel.token): Promise<GuardDecision> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(channel.socketPath);
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(JSON.parse(reply) as GuardDecision);
      } catch {
        reject(new Error(`no decision: ${JSON.stringify(reply)}`));
      }
    });
    socket.write(`${JSON.stringify({ token, ...request })}\n`);
  });
}

void describe('guard thread', () => {
  let dir: string;
  let channel: GuardChannel;
  const forwarded: string[] = [];
  const decided: { tool: string; exec: boolean; blocked?: string }[] = [];
  const blocked: string[] = [];
  let over = false;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vp-gt-'));
    const charter = makeConfig(dir).charter;
    charter.constraints.forbiddenCommands = ['rm -rf'];
    charter.constraints.requiredApprovals = ['deploy'];
    const guard = new SessionGuard('s-thread', charter, 60_000, {
      isOverBudget: () => over,
      approvalRequested: (request) => setImmediate(() => guard.approve(request.approvalId)),
      approvalSettled: () => undefined,
      blocked: (_call, reason) => blocked.push(reason),
    });
    const handlers = guard.channelHandlers();
    channel = await openGuardChannel(dir, {
      ...handlers,
      decide: (call) => {
        forwarded.push(call.tool_name);
        return handlers.decide(call);
      },
      decided: (call, exec, why) => {
        decided.push({ tool: call.tool_name, exec, ...(why === undefined ? {} : { blocked: why }) });
        handlers.decided?.(call, exec, why);
      },
    });
  });
  after(async () => {
    await channel.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const bash = (command: string, id: string): { call: HookCall } => ({ call: { tool_name: 'Bash', tool_input: { command }, tool_use_id: id } });

  void it('answers allowed and forbidden calls alone, reports them, and forwards what needs a person', async () => {
    forwarded.length = 0;
    decided.length = 0;
    assert.deepEqual(await ask(channel, bash('ls -la', 't1')), { decision: 'allow' });
    const denied = await ask(channel, bash('rm -rf /tmp/x', 't2'));
    assert.equal(denied.decision, 'deny');
    assert.deepEqual(await ask(channel, bash('./deploy.sh', 't3')), { decision: 'allow' }, 'approved by the person');
    await channel.sync();
    assert.deepEqual(forwarded, ['Bash'], 'only the call that needs approval reached the daemon');
    assert.deepEqual(decided.map((d) => [d.tool, d.exec, d.blocked !== undefined]), [['Bash', false, false], ['Bash', false, true]]);
    assert.ok(blocked.some((reason) => denied.decision === 'deny' && reason === denied.reason), 'the block was reported with its reason');
  });

  void it('decides programs from the exec shim alone unless they need a person', async () => {
    decided.length = 0;
    const rm = await ask(channel, { exec: { path: '/bin/rm', argv: ['rm', '-rf', '/w'], cwd: '/w' } });
    assert.equal(rm.decision, 'deny');
    assert.deepEqual(await ask(channel, { exec: { path: '/bin/ls', argv: ['ls'], cwd: '/w' } }), { decision: 'allow' });
    await channel.sync();
    assert.deepEqual(decided.map((d) => [d.tool, d.exec, d.blocked !== undefined]), [['exec', true, true], ['exec', true, false]]);
  });

  void it('denies a wrong token and malformed requests', async () => {
    assert.deepEqual(await ask(channel, bash('ls', 't4'), '00'.repeat(32)), { decision: 'deny', reason: 'Unauthorized guard request.' });
    assert.deepEqual(await ask(channel, { call: { tool_input: {} } }), { decision: 'deny', reason: 'Malformed tool call.' });
    assert.deepEqual(await ask(channel, { exec: { path: 1 } }), { decision: 'deny', reason: 'Malformed exec request.' });
  });

  void it('answers while the daemon event loop is blocked', async () => {
    const client = `
      const { createConnection } = require('node:net');
      process.stdout.write('ready\\n');
      process.stdin.once('data', () => {
        const s = createConnection(process.argv[1]);
        let reply = '';
        s.on('data', (c) => (reply += c));
        s.on('close', () => process.stdout.write(JSON.stringify({ at: Date.now(), reply }) + '\\n', () => process.exit(0)));
        s.write(JSON.stringify({ token: process.argv[2], call: { tool_name: 'Read', tool_input: { file_path: 'a' } } }) + '\\n');
      });`;
    const child = spawn(process.execPath, ['-e', client, channel.socketPath, channel.token], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdin.write('go\n');
    // Block this thread (the daemon's) for 3 s: long enough for the client to connect and be answered.
    const until = Date.now() + 3000;
    const shared = new Int32Array(new SharedArrayBuffer(4));
    while (Date.now() < until) Atomics.wait(shared, 0, 0, 50);
    const blockedUntil = Date.now();
    await new Promise<void>((resolve) => child.once('close', () => resolve()));
    const result = JSON.parse(out.split('\n')[1] ?? '{}') as { at: number; reply: string };
    assert.deepEqual(JSON.parse(result.reply), { decision: 'allow' });
    assert.ok(result.at < blockedUntil, 'the answer came while the event loop was blocked');
  });

  void it('opens the channels again when the thread dies', async () => {
    await guardThread().terminate();
    let answer: GuardDecision | undefined;
    for (let i = 0; i < 100 && answer === undefined; i += 1) {
      answer = await ask(channel, bash('ls', `t6-${i}`)).catch(() => undefined);
      if (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(answer, { decision: 'allow' });
  });
  void it('sends every call to the daemon once the budget is used up', async () => {
    forwarded.length = 0;
    over = true;
    channel.overBudget();
    const answer = await ask(channel, bash('ls', 't5'));
    assert.equal(answer.decision, 'deny');
    assert.deepEqual(forwarded, ['Bash']);
    over = false;
  });
});
