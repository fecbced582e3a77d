// Secrets stay out of events, tails and CLAUDE.md; parallel sessions get private Claude config folders.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bash, say, scenarioMarker } from '../../src/testing/index.js';
import { makeConfig } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';

const SECRET = 'tok-super-secret-1234567890';
const task = (scenario: string, prefix = '') => ({ taskId: `I-${scenario}`, description: `${prefix}Go ${scenarioMarker(scenario)}`, priority: 'low' as const });

// Every file below `dir`, recursively.
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));

describe('secrets and isolation with the real CLI', () => {
  let rig: RealCliRig;
  before(async () => {
    rig = await startRig([
      { name: 'leak', steps: [bash('echo "token=$MY_SERVICE_TOKEN key=$ANTHROPIC_API_KEY"'), say('printed')] },
      { name: 'hello', steps: [say('Remember ORCA-9.'), say('Still here.')] },
    ]);
  });
  after(() => rig.close());

  it('keeps secret values out of output events, status tails and CLAUDE.md', async () => {
    const spawner = rig.spawner({ env: { MY_SERVICE_TOKEN: SECRET } });
    const seen: string[] = [];
    spawner.on('session-output', ({ data }) => seen.push(data));
    spawner.on('session-message', ({ message }) => seen.push(JSON.stringify(message)));
    const config = makeConfig(rig.workDir, { taskContext: task('leak') });
    config.memory.preferences = { deployToken: SECRET };
    const final = await (await spawner.spawnSession(config)).completion;
    assert.equal(final.state, 'completed');
    const raw = readFileSync(final.files.stdout, 'utf8');
    assert.ok(raw.includes(SECRET), 'the secret really was printed (the raw log on disk is the session record)');
    const everything = [seen.join(''), final.stdout, readFileSync(final.files.charter, 'utf8')].join('\n');
    assert.ok(seen.length > 0);
    assert.equal(everything.includes(SECRET), false);
    assert.equal(everything.includes('sk-ant-offline-test-key'), false);
    assert.ok(everything.includes('[redacted]'));
  });

  it('gives each session a private CLAUDE_CONFIG_DIR that keeps resume working', async () => {
    // Unsandboxed: per-session config folders share one transcript folder (sandboxed ones keep their own).
    const spawner = rig.spawner({ claudeConfigDir: 'per-session', isolation: 'none' });
    const [a, b] = await Promise.all([
      spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('hello') })),
      spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('hello') })),
    ]);
    const [doneA, doneB] = await Promise.all([a.completion, b.completion]);
    assert.equal(doneA.state, 'completed');
    assert.equal(doneB.state, 'completed');
    for (const done of [doneA, doneB]) {
      const own = join(done.files.dir, 'claude-config');
      assert.ok(existsSync(join(own, '.claude.json')), 'the CLI wrote its state into the private folder');
    }
    // Transcripts go to one shared folder, so a later session can resume either conversation.
    const shared = walk(join(rig.workDir, '.vp-daemon', 'claude-projects'));
    assert.ok(shared.some((f) => f.endsWith(`${doneA.claudeSessionId}.jsonl`)));
    assert.ok(shared.some((f) => f.endsWith(`${doneB.claudeSessionId}.jsonl`)));
    const resumed = await spawner.spawnSession(
      makeConfig(rig.workDir, { taskContext: task('hello', 'Again. '), resumeClaudeSessionId: doneA.claudeSessionId }),
    );
    assert.equal((await resumed.completion).state, 'completed');
    assert.ok(rig.server.modelCalls(doneA.claudeSessionId).at(-1)?.text.includes('ORCA-9'));
  });
});
