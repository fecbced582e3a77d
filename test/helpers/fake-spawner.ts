// A controllable in-memory PoolSpawner for SessionPool tests: no processes, the test decides when
// and how each session ends.
import type { ClaudeSessionConfig, ClaudeSessionStatus, PoolSpawner, SessionState, SpawnResult } from '../../src/index.js';
import { emptyTokenUsage, freshStatus } from '../../src/spawner/metrics.js';
import { createDeferred, type Deferred } from '../../src/utils/deferred.js';

export type FinalState = Extract<SessionState, 'completed' | 'failed' | 'crashed' | 'timeout' | 'terminated'>;

export interface FakeSpawnerOptions {
  /** Delay before spawnSession settles, in ms (a function gets the config). @default 0: settles at once */
  spawnDelayMs?: number | ((config: ClaudeSessionConfig) => number);
  /** Which spawns reject. @default a config whose taskContext.taskId starts with 'fail' */
  shouldFail?: (config: ClaudeSessionConfig) => boolean;
  /** Tokens each finished session reports. @default 0 */
  tokensPerSession?: number;
}

export interface FakeSession {
  readonly sessionId: string;
  readonly taskId: string;
  readonly config: ClaudeSessionConfig;
  readonly status: ClaudeSessionStatus;
  /** Set once the session has finished. */
  final: ClaudeSessionStatus | undefined;
  readonly done: Deferred<ClaudeSessionStatus>;
}

const failByTaskId = (config: ClaudeSessionConfig): boolean => config.taskContext.taskId.startsWith('fail');

export class FakeSpawner implements PoolSpawner {
  /** taskId of every spawnSession call, in call order (failing spawns included). */
  readonly spawnOrder: string[] = [];
  /** taskId of every spawn that rejected. */
  readonly failedSpawns: string[] = [];
  /** Every session spawned, by session id. */
  readonly sessions = new Map<string, FakeSession>();
  /** Calls of terminateSession: [sessionId, graceful]. */
  readonly terminateCalls: [string, boolean][] = [];
  /** Spawns in flight plus sessions not yet finished. */
  active = 0;
  /** Highest `active` ever seen. */
  maxActive = 0;

  readonly #options: FakeSpawnerOptions;
  #next = 0;

  constructor(options: FakeSpawnerOptions = {}) {
    this.#options = options;
  }

  async spawnSession(config: ClaudeSessionConfig): Promise<SpawnResult> {
    const { taskId } = config.taskContext;
    this.spawnOrder.push(taskId);
    this.#enter();
    const delay = typeof this.#options.spawnDelayMs === 'function' ? this.#options.spawnDelayMs(config) : (this.#options.spawnDelayMs ?? 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if ((this.#options.shouldFail ?? failByTaskId)(config)) {
      this.active -= 1;
      this.failedSpawns.push(taskId);
      throw new Error(`fake spawn of ${taskId} failed`);
    }
    const sessionId = `fake-session-${++this.#next}`;
    const status = freshStatus({
      sessionId,
      claudeSessionId: `00000000-0000-4000-8000-${String(this.#next).padStart(12, '0')}`,
      state: 'running',
      pid: 100_000 + this.#next,
      files: { dir: `/fake/${sessionId}`, charter: `/fake/${sessionId}/charter.md`, stdout: `/fake/${sessionId}/stdout.log`, stderr: `/fake/${sessionId}/stderr.log` },
    });
    const session: FakeSession = { sessionId, taskId, config, status, final: undefined, done: createDeferred<ClaudeSessionStatus>() };
    this.sessions.set(sessionId, session);
    return { sessionId, status: { ...status }, completion: session.done.promise };
  }

  /**
   * Ends a running session: its `completion` resolves with a final status in `state`.
   * Returns false (and changes nothing) when the session is unknown or already finished.
   */
  finish(sessionId: string, state: FinalState = 'completed', extra: Partial<ClaudeSessionStatus> = {}): boolean {
    const session = this.sessions.get(sessionId);
    if (!session || session.final) return false;
    const endTime = new Date();
    const total = this.#options.tokensPerSession ?? 0;
    const final: ClaudeSessionStatus = {
      ...session.status,
      state,
      endTime,
      executionTime: endTime.getTime() - session.status.startTime.getTime(),
      exitCode: state === 'completed' ? 0 : 1,
      signal: null,
      outcome: { reason: state === 'failed' ? 'exit:1' : state === 'crashed' ? 'signal:SIGSEGV' : state },
      tokenUsage: { ...emptyTokenUsage(), output: total, total },
      ...extra,
    };
    session.final = final;
    this.active -= 1;
    session.done.resolve(final);
    return true;
  }

  terminateSession(sessionId: string, graceful = true): Promise<void> {
    this.terminateCalls.push([sessionId, graceful]);
    this.finish(sessionId, 'terminated');
    return Promise.resolve();
  }

  /** Session ids not finished yet, in spawn order. */
  runningIds(): string[] {
    return [...this.sessions.values()].filter((s) => !s.final).map((s) => s.sessionId);
  }

  /** The session spawned for a task id (the last one, if several). */
  sessionOf(taskId: string): FakeSession | undefined {
    return [...this.sessions.values()].reverse().find((s) => s.taskId === taskId);
  }

  #enter(): void {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
  }
}
