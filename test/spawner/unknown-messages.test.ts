// Message types the spawner does not know are counted and kept, never fatal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsAccumulator } from '../../src/spawner/metrics.js';
import { fakeRig, record, within, type FakeAgent } from '../helpers/fake-agents.js';

const feed = (types: string[]): MetricsAccumulator => {
  const m = new MetricsAccumulator();
  for (const type of types) m.apply({ type });
  return m;
};

void describe('unknown stream-json message types', () => {
  void it('are counted, and their names listed once each, sorted', () => {
    const m = feed(['vcs_state_changed', 'turn_preempted', 'vcs_state_changed', 'command_lifecycle']);
    assert.equal(m.metrics.unknownMessages, 4);
    assert.deepEqual(m.metrics.unknownMessageTypes, ['command_lifecycle', 'turn_preempted', 'vcs_state_changed']);
  });

  void it('leave known types alone, and system messages of any subtype', () => {
    const m = feed(['rate_limit_event', 'control_response', 'keep_alive', 'tool_progress', 'prompt_suggestion']);
    m.apply({ type: 'system', subtype: 'never_seen_before' });
    assert.equal(m.metrics.unknownMessages, 0);
    assert.deepEqual(m.metrics.unknownMessageTypes, []);
  });

  void it('keep at most 20 names of at most 64 characters', () => {
    const m = feed([...Array.from({ length: 30 }, (_, i) => `t${String(i).padStart(2, '0')}`), 'x'.repeat(100)]);
    assert.equal(m.metrics.unknownMessages, 31);
    assert.equal(m.metrics.unknownMessageTypes.length, 20);
    const long = feed(['x'.repeat(100)]);
    assert.deepEqual(long.metrics.unknownMessageTypes, ['x'.repeat(64)]);
  });

  void it('do not disturb a session: it completes, emits them, counts them and keeps them in its evidence', async (t) => {
    // A fixture of this test's own (test/fixtures/fake-unknown-types.mjs).
    const rig = fakeRig('unknown-types' as FakeAgent);
    t.after(() => rig.close());
    const messages = record(rig.spawner, 'session-message');
    const { completion } = await rig.spawner.spawnSession(rig.config());
    const status = await within(completion, 20_000, 'the session end');

    assert.equal(status.state, 'completed', status.errorMessage);
    assert.equal(status.resultText, 'ok');
    assert.equal(status.metrics.unknownMessages, 3);
    assert.deepEqual(status.metrics.unknownMessageTypes, ['turn_preempted', 'vcs_state_changed']);
    assert.equal(status.metrics.malformedLines, 0);
    const types = (list: unknown[]): string[] => list.map((m) => (m as { type: string }).type);
    assert.deepEqual(types(messages.map((m) => m.message)), ['system', 'vcs_state_changed', 'assistant', 'turn_preempted', 'vcs_state_changed', 'result']);
    assert.deepEqual(types(status.evidence?.lastMessages ?? []), ['system', 'vcs_state_changed', 'assistant', 'turn_preempted', 'vcs_state_changed', 'result']);
  });
});
