// A FakeSpawner a SessionRecoveryManager can watch: it emits `session-ended` and knows each session's config.
import { EventEmitter } from 'node:events';
import type { ClaudeSessionConfig, ClaudeSessionStatus, SpawnerEvents } from '../../src/index.js';
import { FakeSpawner, type FakeSpawnerOptions, type FinalState } from './fake-spawner.js';

export class RecoverableFakeSpawner extends FakeSpawner {
  readonly #events = new EventEmitter<SpawnerEvents>();
  readonly #lazyTerminate: boolean;

  /** With `lazyTerminate`, `terminateSession` only records the call: the session ends when the test finishes it (maybe crashed). */
  constructor(options: FakeSpawnerOptions & { lazyTerminate?: boolean } = {}) {
    super(options);
    this.#lazyTerminate = options.lazyTerminate ?? false;
  }

  override terminateSession(sessionId: string, graceful = true): Promise<void> {
    if (!this.#lazyTerminate) return super.terminateSession(sessionId, graceful);
    this.terminateCalls.push([sessionId, graceful]);
    return Promise.resolve();
  }

  on(event: 'session-ended', listener: (...args: SpawnerEvents['session-ended']) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  off(event: 'session-ended', listener: (...args: SpawnerEvents['session-ended']) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  getSessionConfig(sessionId: string): ClaudeSessionConfig | undefined {
    return this.sessions.get(sessionId)?.config;
  }

  override finish(sessionId: string, state: FinalState = 'completed', extra: Partial<ClaudeSessionStatus> = {}): boolean {
    // A crash of an initialized session, as the real spawner reports it: the conversation can be resumed.
    const evidence = { initialized: true, lastMessages: [] };
    if (!super.finish(sessionId, state, { evidence, ...extra })) return false;
    const status = this.sessions.get(sessionId)?.final as ClaudeSessionStatus;
    this.#events.emit('session-ended', { sessionId, status });
    return true;
  }
}
