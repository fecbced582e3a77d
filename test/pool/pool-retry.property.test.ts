// Exactly-once endings under random interleavings of crash, completion, cancel, drain and retry delays.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SessionPool, SessionRecoveryManager } from '../../src/index.js';
import { makeConfig } from '../helpers/fixtures.js';
import { RecoverableFakeSpawner } from '../helpers/recoverable-spawner.js';

type Command =
  | { kind: 'request'; priority: 'critical' | 'high' | 'medium' | 'low' }
  | { kind: 'end'; pick: number; state: 'completed' | 'crashed' | 'failed' }
  | { kind: 'cancel'; pick: number; terminate: boolean }
  | { kind: 'wait'; ms: number }
  | { kind: 'drain' };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('request' as const), priority: fc.constantFrom('critical' as const, 'high' as const, 'medium' as const, 'low' as const) }),
  fc.record({ kind: fc.constant('end' as const), pick: fc.nat(), state: fc.constantFrom('completed' as const, 'crashed' as const, 'crashed' as const, 'failed' as const) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(), terminate: fc.boolean() }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 8 }) }),
  fc.constant({ kind: 'drain' as const }),
);

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

// How a request ended, as its callbacks said.
interface Seen {
  ends: string[];
  cancelledAtSpawn?: number;
}

describe('SessionPool retries (property)', () => {
  it('every request ends exactly once; nothing is spawned for it after its cancel, nor at all after drain', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(0, 3, 60_000),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        async (commands, maxConcurrentSessions, retryDelay, maxRetries, lazyTerminate) => {
          // A lazy terminate leaves the stopped session to end later, possibly crashed: a cancelled request must not retry it.
          const spawner = new RecoverableFakeSpawner({ lazyTerminate });
          const pool = new SessionPool(spawner, { maxConcurrentSessions, autoRecovery: true, maxQueueSize: 10 });
          const manager = new SessionRecoveryManager(spawner, { retryDelay, maxRetries, jitter: 0, saveCrashDumps: false, strategy: retryDelay === 0 ? 'immediate' : 'delayed' });
          const seen = new Map<string, Seen>();
          let draining: Promise<void> | undefined;
          const spawnsOf = (id: string) => spawner.spawnOrder.filter((t) => t === id).length;
          for (const cmd of commands) {
            if (cmd.kind === 'request') {
              const id = `r${seen.size}`;
              const record: Seen = { ends: [] };
              seen.set(id, record);
              void pool.requestSession({
                requestId: id,
                config: makeConfig('/tmp', { taskContext: { taskId: id, description: id, priority: cmd.priority } }),
                priority: cmd.priority,
                onCompleted: () => record.ends.push('completed'),
                onFailed: (e) => record.ends.push((e as { code?: string }).code ?? e.message),
              });
            } else if (cmd.kind === 'end') {
              const running = spawner.runningIds();
              if (running.length > 0) spawner.finish(running[cmd.pick % running.length]!, cmd.state);
            } else if (cmd.kind === 'cancel' && seen.size > 0) {
              const id = [...seen.keys()][cmd.pick % seen.size]!;
              if (pool.cancelRequest(id, { terminate: cmd.terminate })) seen.get(id)!.cancelledAtSpawn ??= spawnsOf(id);
            } else if (cmd.kind === 'wait') {
              await new Promise((r) => setTimeout(r, cmd.ms));
            } else if (cmd.kind === 'drain') {
              draining ??= pool.drain(5);
            }
            await flush();
            assert.ok(spawner.maxActive <= maxConcurrentSessions, 'the limit holds for every attempt');
          }
          // The pool drains (pending retries are refused at once); whatever still runs completes.
          const started = Date.now();
          draining ??= pool.drain(5);
          for (const id of spawner.runningIds()) spawner.finish(id, 'completed');
          await flush();
          await draining;
          assert.ok(Date.now() - started < 5_000, 'drain is bounded whatever retries are pending');
          const spawnedAtDrain = spawner.spawnOrder.length;
          for (const id of spawner.runningIds()) spawner.finish(id, 'completed');
          await new Promise((r) => setTimeout(r, 10));
          await flush();
          assert.equal(spawner.spawnOrder.length, spawnedAtDrain, 'nothing is spawned after drain');
          for (const [id, record] of seen) {
            assert.equal(record.ends.length, 1, `${id} ended ${record.ends.length} times: ${record.ends.join(', ')}`);
            if (record.cancelledAtSpawn !== undefined) {
              assert.equal(spawnsOf(id), record.cancelledAtSpawn, `${id}: spawned after its cancel`);
              // A session that completed before the stop took effect delivered its work: that end is reported.
              const expected = spawner.sessionOf(id)?.final?.state === 'completed' ? 'completed' : 'ERR_REQUEST_CANCELLED';
              assert.equal(record.ends[0], expected, `${id}: a cancelled request ends cancelled`);
            }
            const last = spawner.sessionOf(id)?.final?.state;
            assert.equal(record.ends[0] === 'completed', last === 'completed', `${id}: onCompleted iff its last session completed`);
          }
          assert.equal(manager.getRecoveryStats().activeRecoveries, 0, 'no chain is left open');
          manager.close();
        },
      ),
      { numRuns: 80 },
    );
  });
});
