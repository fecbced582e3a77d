// The spec's usage examples (examples/*.ts), run as a user would run them against the offline model server:
// only their import lines differ from the spec, and marked preambles and epilogues surround them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { hang, startModelServer, type ModelServer, type ModelServerOptions } from '../src/testing/index.js';
import { tempDir } from './helpers/fixtures.js';

const exec = promisify(execFile);
// The spec's examples work in this folder; it is created for the test when missing and removed after.
const SPEC_PROJECT = '/path/to/project';
const EXAMPLES = join(import.meta.dirname, '..', 'examples');
// tsx by its path: some examples run in another folder.
const TSX = import.meta.resolve('tsx');
// The model takes two seconds to answer, so the recovery examples' session is still running when they kill it.
const SLOW = { name: 'slow', steps: [{ kind: 'text' as const, text: 'Done, slowly.', chunkDelayMs: 2000 }] };

describe('spec usage examples', () => {
  const servers: ModelServer[] = [];
  let home: ReturnType<typeof tempDir>;
  let cwd: ReturnType<typeof tempDir>;
  // The first folder this test created (mkdirSync returns it), removed after.
  let created: string | undefined;

  /** Runs `examples/<name>` with node and tsx in `dir` (default: the repository) against a fresh model server. */
  const example = async (name: string, options: { server?: ModelServerOptions; dir?: string } = {}): Promise<{ stdout: string; server: ModelServer }> => {
    const server = await startModelServer(options.server);
    servers.push(server);
    const env: NodeJS.ProcessEnv = { ...process.env, ...server.env, HOME: home.path, CLAUDE_CONFIG_DIR: home.path, VP_DAEMON_LOG_LEVEL: 'silent' };
    delete env['VP_DAEMON_CHARTERS'];
    const { stdout } = await exec(process.execPath, ['--import', TSX, join(EXAMPLES, name)], { env, cwd: options.dir, timeout: 90_000 });
    return { stdout, server };
  };

  before(() => {
    home = tempDir('vp-example-config-');
    cwd = tempDir('vp-example-cwd-');
    if (!existsSync(SPEC_PROJECT)) created = mkdirSync(SPEC_PROJECT, { recursive: true });
  });
  after(async () => {
    for (const server of servers) await server.close();
    home.remove();
    cwd.remove();
    if (created !== undefined) rmSync(created, { recursive: true, force: true });
    else rmSync(`${SPEC_PROJECT}/.vp-daemon`, { recursive: true, force: true });
  });

  it('has an example file for each of the spec\'s nine TypeScript blocks', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).sort();
    const spec = ['crash-analysis', 'integration', 'pool-events', 'pool-metrics', 'pool-usage', 'recovery-events', 'recovery-usage', 'spawner-events', 'spawner-usage'];
    assert.deepEqual(files, spec.map((f) => `${f}.ts`));
  });

  it('runs the ClaudeSessionSpawner example to completion', async () => {
    const { stdout, server } = await example('spawner-usage.ts');
    assert.match(stdout, /Session claude-session-[0-9a-f-]+ started with PID \d+/);
    assert.match(stdout, /Session completed with state: completed/);
    assert.match(stdout, /Commands executed: 0/);
    assert.equal(server.modelCalls().length > 0, true);
  });

  it('runs the ClaudeSessionSpawner events example: the session spawns, prints and ends', async () => {
    const { stdout } = await example('spawner-events.ts');
    assert.match(stdout, /^Listeners: session-spawned, session-ended, session-timeout, session-output$/m);
    assert.match(stdout, /^Events: session-spawned, session-output, session-ended$/m);
    assert.match(stdout, /^Session ended: completed$/m);
  });

  it('runs the SessionPool example, and an idle warm process does not keep it from exiting', async () => {
    const { stdout } = await example('pool-usage.ts');
    assert.match(stdout, /Session claude-session-[0-9a-f-]+ allocated/);
    assert.match(stdout, /Active sessions: 1\/5/);
    assert.match(stdout, /Session completed: completed/);
  });

  it('runs the pool metrics example: every field of the spec\'s output is a metric', async () => {
    const { stdout } = await example('pool-metrics.ts');
    const metrics = JSON.parse(stdout.split('\n')[0] ?? '') as Record<string, number>;
    assert.equal(metrics['totalSessions'], 1);
    assert.equal(metrics['completedSessions'], 1);
    assert.ok((metrics['totalTokensUsed'] ?? 0) > 0);
    assert.match(stdout, /^Spec fields present: 10\/10$/m);
  });

  it('runs the SessionPool events example: queued, allocated, cancelled, released, drained', async () => {
    const { stdout } = await example('pool-events.ts');
    const events = stdout.trim().split('\n');
    for (const event of ['request-queued req-1 at 0', 'request-queued req-2 at 0', 'session-allocated req-1', 'request-cancelled req-2', 'req-2: Request req-2 was cancelled', 'session-released completed', 'pool-draining', 'pool-drained']) {
      assert.ok(events.includes(event), `${event} in:\n${stdout}`);
    }
    assert.ok(events.indexOf('session-released completed') < events.indexOf('pool-draining'));
    assert.equal(events.at(-1), 'pool-drained');
  });

  it('runs the recovery example: a crash is detected, analysed and recovered after the retry delay', async () => {
    const dir = join(cwd.path, 'usage');
    mkdirSync(dir);
    const started = Date.now();
    const { stdout } = await example('recovery-usage.ts', { server: { defaultScenario: SLOW }, dir });
    assert.match(stdout, /^Recovery rate: 0\.0%\nCrash detected in session claude-session-/m);
    assert.match(stdout, /^Crash type: oom\nRoot cause: .*SIGKILL.*\nRecommendation: \S/m);
    assert.match(stdout, /^Recovery successful after 1 attempts$/m);
    assert.match(stdout, /^Recovered by claude-session-/m);
    assert.match(stdout, /^Recovery rate: 100\.0% of 1 crash\(es\)$/m);
    assert.ok(Date.now() - started >= 5000, 'the attempt waited retryDelay');
    assert.equal(readdirSync(join(dir, '.vp-daemon', 'crash-dumps')).length, 1, 'the dump went to the folder relative to where it ran');
  });

  it('runs the recovery events example: the events of a crash and its recovery', async () => {
    const dir = join(cwd.path, 'events');
    mkdirSync(dir);
    const { stdout } = await example('recovery-events.ts', { server: { defaultScenario: SLOW }, dir });
    const events = stdout.trim().split('\n');
    assert.deepEqual(events.slice(0, 2), ['crash-detected (crashed, signal:SIGKILL)', 'crash-analyzed (oom)']);
    assert.deepEqual(events.slice(2, 4).sort(), ['crash-dump-saved', 'recovery-attempt 1'], 'the dump is written while the attempt starts');
    assert.deepEqual(events.slice(4), ['recovery-succeeded after 1']);
  });

  it('runs the crash analysis example: a session killed by SIGKILL is analysed like the spec\'s OOM sample', async () => {
    // The model never answers, so the session is still running when it is killed.
    const { stdout } = await example('crash-analysis.ts', { server: { defaultScenario: { name: 'stuck', steps: [hang()] } } });
    assert.match(stdout, /^Session crashed \(signal:SIGKILL\)$/m);
    assert.match(stdout, /^crashType: "oom"$/m);
    assert.match(stdout, /^rootCause: ".*SIGKILL.*"$/m);
    assert.match(stdout, /^recommendation: "\S.*"$/m);
    assert.match(stdout, /^confidence: 0\.\d+$/m);
    assert.match(stdout, /^suggestedFixes: \[".+"\]$/m);
  });

  it('runs the integration example: a triage request whose charter is a name found by the lookup', async () => {
    // From examples/, the default lookup finds ./charters/backend-engineer.yaml.
    const { stdout, server } = await example('integration.ts', { dir: EXAMPLES });
    assert.match(stdout, /^Charter: Backend VP \(Backend Engineer\)$/m);
    assert.match(stdout, /^Priority: critical$/m);
    assert.match(stdout, /^Session ended: completed$/m);
    assert.match(stdout, /^Crashes: 0$/m);
    assert.ok(server.modelCalls().some((call) => call.text.includes('Backend VP')), 'the named charter reached the model');
  });
});
