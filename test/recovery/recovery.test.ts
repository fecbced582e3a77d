// Crash recovery with the real CLI and the offline model server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { findSessionProcesses, SessionRecoveryManager, type CrashAnalysis } from '../../src/index.js';
import { apiError, bash, say, scenarioMarker } from '../../src/testing/index.js';
import { makeConfig, tempDir, waitFor } from '../helpers/fixtures.js';
import { startRig, type RealCliRig } from '../helpers/real-cli.js';

const task = (scenario: string) => ({ taskId: `R-${scenario}`, description: `Work ${scenarioMarker(scenario)}`, priority: 'high' as const });
// A phrase of the message a resumed session starts with (charter/prompt.ts, buildResumePrompt).
const RESUME_TEXT = 'this session was interrupted and has been restarted';
const resumeMessages = (text: string): number => text.split(RESUME_TEXT).length - 1;

describe('crash recovery with the real CLI', () => {
  let rig: RealCliRig;
  let dumps: ReturnType<typeof tempDir>;
  before(async () => {
    rig = await startRig([
      // On --resume 2.1.197 drops the interrupted tool call; 2.1.328 keeps it and adds an assistant turn of its
      // own, so the answer to the resumed call sits at a position that depends on the version: both answer.
      { name: 'segv', steps: [bash('echo working-on-it && sleep 30'), say('Resumed and finished.'), say('Resumed and finished.')] },
      { name: 'revoked', steps: [apiError(401, { message: 'invalid x-api-key' })] },
      // After a resume the conversation may hold the CLI's error message, so both positions answer.
      { name: 'limited', steps: [apiError(429, { retryAfterSec: 2, times: 2, then: say('Done after the limit.') }), say('Done after the limit.')] },
    ]);
    dumps = tempDir('vp-dumps-');
  });
  after(async () => {
    await rig.close();
    dumps.remove();
  });

  it('classifies a SIGSEGV in the middle of a tool call as segfault and resumes the conversation', async () => {
    const spawner = rig.spawner();
    const manager = new SessionRecoveryManager(spawner, { strategy: 'immediate', crashDumpDirectory: dumps.path });
    const analyses: CrashAnalysis[] = [];
    manager.on('crash-analyzed', ({ analysis }) => analyses.push(analysis));
    const succeeded = new Promise<{ newSessionId: string; attemptNumber: number }>((r) => manager.once('recovery-succeeded', r));
    const dumped = new Promise<{ filepath: string }>((r) => manager.once('crash-dump-saved', r));
    const { sessionId, status, completion } = await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('segv') }));
    // Crash it while the tool's `sleep 30` runs (a process of this session with that command line).
    const sleeping = async (): Promise<boolean> =>
      (await findSessionProcesses(sessionId)).some((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').startsWith('sleep 30');
        } catch {
          return false;
        }
      });
    await waitFor(sleeping, 20_000, 'the tool call to run');
    process.kill(status.pid ?? 0, 'SIGSEGV');
    const crashed = await completion;
    assert.equal(crashed.state, 'crashed');
    assert.equal(crashed.outcome?.reason, 'signal:SIGSEGV');
    assert.deepEqual(await findSessionProcesses(sessionId), [], 'the interrupted tool process was reaped');

    const { newSessionId, attemptNumber } = await succeeded;
    assert.equal(attemptNumber, 1);
    assert.equal(analyses[0]?.crashType, 'segfault');
    assert.equal(analyses[0]?.crashClass, 'segfault');
    const resumed = spawner.getSessionStatus(newSessionId);
    assert.equal(resumed?.state, 'completed');
    assert.equal(resumed?.claudeSessionId, status.claudeSessionId, 'the same Claude conversation');
    assert.equal(resumed?.resultText, 'Resumed and finished.');
    // What every version guarantees of the resumed process's model request: the conversation the CLI had
    // recorded comes first (whether it kept the interrupted tool call differs), then our resume message, once.
    const calls = rig.server.modelCalls(status.claudeSessionId);
    assert.equal(calls.length, 2, 'one call before the crash, one after the resume');
    const messages = (calls[1]?.body['messages'] ?? []) as { role: string; content: unknown }[];
    const text = messages.map((m) => JSON.stringify(m.content));
    assert.ok(messages.length >= 3, 'the earlier turns are carried');
    assert.ok(text[0]?.includes('Task R-segv (priority high)'), 'the original task comes first');
    assert.equal(resumeMessages(text.join('\n')), 1, 'the resume message is sent once');
    assert.ok(text.at(-1)?.includes(RESUME_TEXT), 'the resume message comes last');
    assert.match((await dumped).filepath, /crash-.*\.json$/);
    manager.close();
  });

  it('does not retry an API key the server refuses (401 is auth)', async () => {
    const spawner = rig.spawner();
    const manager = new SessionRecoveryManager(spawner, { strategy: 'immediate', crashDumpDirectory: dumps.path });
    let spawned = 0;
    spawner.on('session-spawned', () => (spawned += 1));
    const failed = new Promise<{ reason: string }>((r) => manager.once('recovery-failed', r));
    const analyzed = new Promise<{ analysis: CrashAnalysis }>((r) => manager.once('crash-analyzed', r));
    await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('revoked') }));
    assert.equal((await analyzed).analysis.crashClass, 'auth');
    assert.match((await failed).reason, /auth/i);
    assert.equal(spawned, 1);
    assert.equal(manager.getRecoveryStats().totalRecoveryAttempts, 0);
    manager.close();
  });

  it('waits for the retry-after of a 429 before trying again, and tells the pool to pause', async () => {
    // One CLI retry, so the CLI reports the server's retry-after in its api_retry message.
    const spawner = rig.spawner({ env: { CLAUDE_CODE_MAX_RETRIES: '1' } });
    const pauses: number[] = [];
    const manager = new SessionRecoveryManager(spawner, { strategy: 'immediate', crashDumpDirectory: dumps.path, onRateLimit: (until) => pauses.push(until) });
    let analyzedAt = 0;
    manager.on('crash-analyzed', ({ analysis }) => {
      assert.equal(analysis.crashClass, 'rate_limited');
      analyzedAt = Date.now();
    });
    const attempt = new Promise<{ delayMs: number }>((r) => manager.once('recovery-attempt', r));
    const succeeded = new Promise<{ newSessionId: string }>((r) => manager.once('recovery-succeeded', r));
    await spawner.spawnSession(makeConfig(rig.workDir, { taskContext: task('limited') }));
    const { delayMs } = await attempt;
    const waited = Date.now() - analyzedAt;
    assert.ok(delayMs >= 1500, `delay ${delayMs} ms honours retry-after`);
    assert.ok(waited >= 1500, `waited ${waited} ms`);
    assert.equal(pauses.length, 1);
    const { newSessionId } = await succeeded;
    assert.equal(spawner.getSessionStatus(newSessionId)?.resultText, 'Done after the limit.');
    manager.close();
  });
});
