// Two fleet nodes in processes of their own, on real Redis and BullMQ, with the real CLI in its sandbox and a bare
// repository as the fleet remote: a node SIGKILLed mid-session, or stalled by SIGSTOP beyond its lease, loses the
// request to the other node, which continues it in the same conversation from the last pushed commit.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { TriageRequest } from '../../src/index.js';
import { FleetLedger, type FleetRequestRecord } from '../../src/fleet/ledger.js';
import { bash, say, scenarioMarker, startModelServer, type ModelServer } from '../../src/testing/index.js';
import { waitForCommand } from '../helpers/crash.js';
import { tempDir, waitFor } from '../helpers/fixtures.js';
import type { NodeMessage } from '../helpers/fleet-node-process.js';
import { redisUnavailable, removeKeys, startTestRedis, type TestRedis } from '../helpers/redis.js';
import { git, makeRepo } from '../workspace/helpers.js';

const LEASE_MS = 5000;
const charter = {
  identity: { name: 'Fleet VP', email: 'fleet@example.com', role: 'Engineer' },
  objectives: ['Finish the task'],
  constraints: { forbiddenCommands: ['rm -rf'], forbiddenPatterns: [], requiredApprovals: [] },
  resources: { maxTokens: 200_000, maxExecutionTime: 120_000, allowedTools: ['read', 'write', 'bash'] },
};
// CLI versions replay the interrupted turn differently (2.1.328 counts one more assistant turn): the resumed
// conversation reaches a step that writes second.txt either way.
const steps = [
  bash('echo one > first.txt && git add first.txt && git commit -qm first && echo working && sleep 40'),
  bash('echo two > second.txt'),
  bash('echo two > second.txt'),
  say('Done on the other node.'),
];

interface Node {
  child: ChildProcess;
  messages: NodeMessage[];
  log(): string;
  submit(request: TriageRequest): Promise<void>;
  stop(): Promise<void>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('takeover between fleet nodes in processes of their own', { skip: redisUnavailable() }, () => {
  let redis: TestRedis;
  let raw: Redis;
  let server: ModelServer;
  let dir: ReturnType<typeof tempDir>;
  let repo: string;
  let remote: string;
  const fleetName = `test-${randomBytes(4).toString('hex')}`;
  const nodes: Node[] = [];
  before(async () => {
    redis = await startTestRedis();
    raw = new Redis(redis.url);
    server = await startModelServer({ scenarios: [{ name: 'takeover', steps }] });
    dir = tempDir('vp-fleet-takeover-');
    repo = makeRepo(dir.path);
    remote = join(dir.path, 'remote.git');
    git(dir.path, ['clone', '--quiet', '--bare', repo, remote]);
    git(repo, ['remote', 'add', 'origin', remote]);
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    raw.disconnect();
    await removeKeys(redis.url, `vp-fleet:${fleetName}`);
    await redis.stop();
    await server.close();
    if (!process.env['VP_DEBUG_FLEET']) dir.remove();
  });

  async function startNode(n: number): Promise<Node> {
    const options = {
      stateDir: join(dir.path, `node-${n}`),
      maxSessions: 2,
      spawner: { env: { ...server.env, HOME: join(dir.path, 'home'), CLAUDE_CONFIG_DIR: join(dir.path, `claude-${n}`) }, killGraceMs: 2000 },
      fleet: { url: redis.url, name: fleetName, leaseMs: LEASE_MS, stalledCheckMs: 1000 },
    };
    const child = fork(join(import.meta.dirname, '..', 'helpers', 'fleet-node-process.ts'), [JSON.stringify(options)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    if (process.env['VP_DEBUG_FLEET']) child.stderr?.pipe(createWriteStream(`/tmp/fleet-node-${n}.log`));
    const messages: NodeMessage[] = [];
    child.on('message', (m: NodeMessage) => messages.push(m));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let next = 0;
    const node: Node = {
      child,
      messages,
      log: () => log,
      submit: async (request) => {
        const id = ++next;
        child.send({ id, request });
        await waitFor(() => messages.some((m) => m.type === 'submitted' && m.id === id), 30_000, 'the submission');
        const answer = messages.find((m) => m.type === 'submitted' && m.id === id) as { error?: string };
        if (answer.error) throw new Error(answer.error);
      },
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGCONT');
          child.kill('SIGTERM');
        }
        await exited;
      },
    };
    nodes.push(node);
    await Promise.race([
      waitFor(() => messages.some((m) => m.type === 'ready'), 60_000, `node ${n} to join`),
      exited.then(() => assert.fail(`node ${n} exited:\n${log}`)),
    ]);
    return node;
  }

  const request = (id: string): TriageRequest => ({
    requestId: id,
    task: { id, description: `Work ${scenarioMarker('takeover')}` },
    charter,
    workingDirectory: repo,
    urgency: 'normal',
    workspace: {},
  });
  const record = async (id: string) => (await new FleetLedger(raw, fleetName).get(id)) ?? { state: 'none', attempts: 0 } as FleetRequestRecord;
  const spawned = (node: Node) => node.messages.filter((m): m is Extract<NodeMessage, { type: 'spawned' }> => m.type === 'spawned');
  const completed = (node: Node) => node.messages.some((m) => m.type === 'ended' && m.state === 'completed');

  // Runs `id` until its session sleeps with its first commit pushed and its transcript mirrored; then the runner.
  async function runUntilPushed(pair: Node[], id: string): Promise<{ runner: Node; other: Node; first: Extract<NodeMessage, { type: 'spawned' }> }> {
    await pair[0]!.submit(request(id));
    let runner: Node | undefined;
    await waitFor(() => (runner = pair.find((n) => spawned(n).length > 0)) !== undefined, 60_000, 'a node to run the request').catch((error: Error) => {
      throw new Error(`${error.message}; the nodes logged:\n${pair.map((n) => n.log()).join('\n')}`);
    });
    const first = spawned(runner!)[0]!;
    await waitForCommand(first.sessionId, 'sleep 40');
    await waitFor(async () => {
      const { branch, transcriptBytes } = await record(id);
      if (!branch || (transcriptBytes ?? 0) === 0) return false;
      // The work in progress, snapshotted onto the fleet remote's progress ref.
      const tree = git(dir.path, ['--git-dir', remote, 'for-each-ref', '--format=%(objectname)', `refs/vp-fleet/${branch}`]);
      return tree !== '' && git(dir.path, ['--git-dir', remote, 'ls-tree', '--name-only', tree, 'first.txt']).length > 0;
    }, 30_000, 'the first commit pushed and the transcript mirrored');
    return { runner: runner!, other: pair.find((n) => n !== runner)!, first };
  }

  it('a node SIGKILLed mid-session: the other continues the same conversation from the pushed branch, once', async () => {
    const pair = [await startNode(1), await startNode(2)];
    const { runner, other, first } = await runUntilPushed(pair, 'killed');
    runner.child.kill('SIGKILL');
    await waitFor(() => completed(other), 120_000, 'the other node to finish the request');
    await waitFor(async () => (await record('killed')).state !== 'running', 10_000, 'the end to be recorded');
    const resumed = spawned(other)[0]!;
    assert.equal(resumed.claudeSessionId, first.claudeSessionId, 'the same Claude conversation');
    assert.equal(first.pid !== undefined && alive(first.pid), false, "the killed node's CLI did not outlive it");
    const final = await record('killed');
    assert.equal(final.state, 'completed');
    assert.equal(final.attempts, 2, 'two starts, under tokens 1 and 2');
    const branch = final.branch!;
    assert.equal(git(dir.path, ['--git-dir', remote, 'show', `${branch}:first.txt`]), 'one', "the first node's commit");
    assert.equal(git(dir.path, ['--git-dir', remote, 'show', `${branch}:second.txt`]), 'two', "the second node's work");
    assert.equal(git(dir.path, ['--git-dir', remote, 'rev-parse', `refs/heads/${branch}`]), final.headCommit, 'the final branch was pushed');
    assert.equal(git(dir.path, ['--git-dir', remote, 'for-each-ref', `refs/vp-fleet/${branch}`]), '', 'and its progress ref removed');
    assert.equal(other.messages.filter((m) => m.type === 'ended' && m.state === 'completed').length, 1, 'completed once');
    // The killed node restarts on its state folder: it does not run the request again (the fleet's record decides).
    const again = await startNode(runner === pair[0] ? 1 : 2);
    await new Promise((r) => setTimeout(r, 2 * LEASE_MS));
    assert.equal(spawned(again).length, 0, 'the restarted node runs nothing');
    assert.equal((await record('killed')).attempts, 2);
    await Promise.all([other.stop(), again.stop()]);
  });

  it('a node stalled by SIGSTOP beyond its lease stops its session on SIGCONT; its late writes are refused', async () => {
    const pair = [await startNode(3), await startNode(4)];
    const { runner, other, first } = await runUntilPushed(pair, 'stalled');
    runner.child.kill('SIGSTOP');
    // Its launcher, a process of its own, ends the stalled node's session within the lease.
    await waitFor(() => first.pid !== undefined && !alive(first.pid), 2 * LEASE_MS, "the stalled node's session to be killed");
    await waitFor(() => spawned(other).length > 0, 60_000, 'the other node to take the request over');
    runner.child.kill('SIGCONT');
    await waitFor(() => runner.log().includes('fleet lease lost'), 30_000, 'the stalled node to see its lease lost');
    await waitFor(() => completed(other), 120_000, 'the other node to finish the request');
    assert.equal(spawned(other)[0]!.claudeSessionId, first.claudeSessionId, 'the same Claude conversation');
    assert.equal(completed(runner), false, 'the stalled node completed nothing');
    await waitFor(() => runner.messages.some((m) => m.type === 'ended'), 30_000, "the stalled node's session to end");
    await waitFor(async () => (await record('stalled')).state !== 'running', 10_000, 'the end to be recorded');
    const final = await record('stalled');
    assert.equal(final.state, 'completed');
    assert.equal(final.token, 2, "the last write was the second lease's");
    assert.equal(final.attempts, 2);
    assert.equal(git(dir.path, ['--git-dir', remote, 'for-each-ref', '--format=%(objectname)', `refs/heads/${final.branch!}`]), final.headCommit, "the fleet remote has the second lease's branch");
  });
});
