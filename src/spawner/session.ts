import { userMessageLine } from '../charter/prompt.js';
import { createDeferred } from '../utils/deferred.js';
import { redactValue } from '../utils/redact.js';
import { Deadlines, type DeadlineSettings } from './deadlines.js';
import { MetricsAccumulator } from './metrics.js';
import type { StopReason } from './outcome.js';
import { reapSession } from './process-tree.js';
import { BudgetWatch } from './run/budget.js';
import { refreshStatus, settleStatus, writeStatusFile } from './run/final-status.js';
import { GuardCheck } from './run/guard-check.js';
import { OutputSinks } from './run/output-sinks.js';
import { startProcess, type AgentProcess } from './run/process-start.js';
import { Termination } from './run/termination.js';
import { Turns } from './run/turns.js';
import { isAssistant, isInit, isResult, isStreamEvent, isUser, type StreamMessage } from './stream/messages.js';
import { isContentDeltaLine, parseLine } from './stream/parse-line.js';
import type { ClaudeSessionStatus } from '../session/types.js';
import type { SessionRunInit } from './run/run-init.js';

// How long to wait for stdout/stderr to close after the process exited before finishing anyway
// (a leftover grandchild may hold the pipes open).
const CLOSE_AFTER_EXIT_MS = 2000;
const LAST_MESSAGES = 20;

/** One running CLI process: its I/O, deadlines, metrics and end. */
export class SessionRun {
  readonly status: ClaudeSessionStatus;
  readonly metrics = new MetricsAccumulator();
  readonly #init: SessionRunInit;
  readonly #done = createDeferred<ClaudeSessionStatus>();
  readonly #output: OutputSinks;
  readonly #term: Termination;
  readonly #turns: Turns;
  readonly #budget: BudgetWatch;
  readonly #guard = new GuardCheck();
  #child: AgentProcess | undefined;
  #deadlines: Deadlines | undefined;
  #finishing = false;
  #initialized = false;
  // The last stream-json messages, for crash evidence (bounded).
  readonly #lastMessages: StreamMessage[] = [];
  // Tool calls waiting for a person; the session is `waiting_input` while this is above 0.
  #waitingForPerson = 0;

  constructor(init: SessionRunInit) {
    this.#init = init;
    this.status = init.status;
    const { sessionId } = init.status;
    this.#term = new Termination(init.sandboxed, init.killGraceMs);
    this.#turns = new Turns(init.killGraceMs, () => this.#onAnswered());
    this.#output = new OutputSinks({
      ...init,
      sessionId,
      files: init.status.files,
      metrics: this.metrics.metrics,
      onLine: (line) => this.#onLine(line),
      onActivity: () => this.#deadlines?.activity(),
    });
    this.#budget = new BudgetWatch({ ...init, sessionId, metrics: this.metrics, answered: () => this.#turns.answered, stop: (r) => this.stop(r), onOver: () => init.guard?.overBudget() });
  }

  /** Resolves with the final status once the session has ended and its processes are gone. */
  get completion(): Promise<ClaudeSessionStatus> {
    return this.#done.promise;
  }

  get ended(): boolean {
    return this.#finishing;
  }

  /**
   * Starts the process; rejects with a {@link SpawnError} if the OS refuses. With `deferred`, the CLI
   * starts up and waits for its first message (a warm session): no prompt, no deadlines until {@link activate}.
   */
  async start(deferred = false): Promise<void> {
    const { command, args, cwd, env } = this.#init;
    const child = await startProcess(command, args, cwd, env);
    this.#child = child;
    this.#term.attach(child.pid);
    this.#output.attach(child);
    this.status.pid = child.pid;
    this.status.state = 'running';
    this.status.startTime = new Date();
    child.stdin.on('error', (error) => this.#init.logger.debug({ err: error, sessionId: this.status.sessionId }, 'stdin closed'));
    child.on('exit', (code, signal) => this.#onExit(code, signal));
    child.on('close', () => void this.#finish());
    if (!deferred) this.activate(this.#init.prompt, this.#init.deadlines);
  }

  /**
   * Whether this process keeps the daemon's event loop alive. A warm process waiting for work does not:
   * an idle pool must not stop a program from exiting (the exit handler then stops the process).
   */
  keepAlive(on: boolean): void {
    if (on) this.#child?.ref();
    else this.#child?.unref();
  }

  /** Sends the first message and starts the deadlines (at once, or when a warm session is handed a task). */
  activate(prompt: string, deadlines: DeadlineSettings): void {
    this.status.startTime = new Date();
    this.#deadlines = new Deadlines(deadlines, (reason) => this.#expire(reason));
    this.#child?.stdin.write(userMessageLine(prompt));
  }

  /** False once every message was answered and stdin is closed: the session is ending. */
  get acceptsInput(): boolean {
    return !this.#turns.answered && this.#term.exit === undefined && !this.#finishing;
  }

  /** Sends a follow-up user message; the session then waits for its answer before ending. */
  sendInput(text: string): void {
    this.#turns.sent();
    this.#child?.stdin.write(userMessageLine(text));
  }

  /** Stops the session on request; it ends `terminated` unless it had already finished its work. */
  async terminate(graceful: boolean): Promise<ClaudeSessionStatus> {
    this.stop(this.#turns.answered ? undefined : 'terminated', graceful);
    return this.completion;
  }

  /** Stops the process group: SIGTERM, then SIGKILL after the grace period (or SIGKILL at once). */
  stop(reason: StopReason | undefined, graceful = true): void {
    if (!this.#term.stoppable) return;
    if (reason !== undefined) this.#term.stopReason ??= reason;
    this.#child?.stdin.end();
    this.#term.stop(reason, graceful);
  }

  #expire(reason: StopReason): void {
    if (this.#turns.answered || this.#term.stopReason !== undefined || this.#term.exit !== undefined) return;
    this.#init.emit('session-timeout', { sessionId: this.status.sessionId, kind: reason.slice('timeout:'.length) as 'wall' });
    this.stop(reason);
  }

  #onLine(line: string): void {
    // Stream events (`--include-partial-messages`) feed the live budget only. They are not messages of the
    // conversation, and there are many (one per streamed chunk of text or tool input): emitting each as
    // `session-message` would flood every listener, and keeping them would push the real messages out of the
    // crash evidence; the content deltas, most of them, carry no usage and are not even parsed. Nothing is
    // lost: stdout.jsonl keeps every byte of stdout, these lines included, and each assistant message still
    // brings the complete content.
    if (isContentDeltaLine(line)) return;
    const message = parseLine(line);
    if (message === undefined) return this.#output.malformed(line);
    this.metrics.apply(message);
    if (isStreamEvent(message)) return this.#budget.check();
    this.#lastMessages.push(message);
    if (this.#lastMessages.length > LAST_MESSAGES) this.#lastMessages.shift();
    this.#turns.apply(message);
    if (isInit(message)) {
      this.#initialized = true;
      this.#deadlines?.started();
    }
    else if (isResult(message)) this.#budget.check(message.subtype === 'error_max_budget_usd');
    else if (isAssistant(message)) this.#budget.check();
    else if (isUser(message)) {
      const unseen = this.#guard.unguarded(message);
      if (unseen.length > 0) void this.#confirmUnguarded(unseen);
    }
    if (this.#init.wants('session-message')) {
      this.#init.emit('session-message', { sessionId: this.status.sessionId, message: redactValue(message, this.#init.secrets) });
    }
    this.onMessage?.(message);
  }

  /** Hook for policies that watch the stream (budgets); called after metrics are updated. */
  onMessage: ((message: StreamMessage) => void) | undefined;

  #onAnswered(): void {
    // The work is done: close stdin and the CLI exits on its own.
    this.#child?.stdin.end();
    this.#term.linger(() => this.stop(undefined));
  }

  /** True once the tokens or the cost used, including the running turn, reach their budget. */
  get overBudget(): boolean {
    return this.#budget.over;
  }

  // The guard thread reports the calls it decided alone on its own channel: wait for every report it sent so far.
  async #confirmUnguarded(toolUseIds: string[]): Promise<void> {
    await this.#init.guard?.sync();
    for (const toolUseId of this.#guard.stillUnseen(toolUseIds)) {
      this.#init.logger.error({ sessionId: this.status.sessionId, toolUseId }, 'a tool ran without a guard decision; stopping the session');
      this.stop('guard:bypassed');
    }
  }

  /** The guard decided the tool call `toolUseId` (its hook ran). */
  guardSaw(toolUseId: string): void {
    this.#guard.saw(toolUseId);
  }

  /** A tool call waits for a person: the session shows `waiting_input` and its clocks stop. */
  waitForPerson(): void {
    this.#waitingForPerson += 1;
    if (!this.#finishing) this.status.state = 'waiting_input';
    this.#deadlines?.pause();
  }

  /** The person answered (or the wait timed out). */
  personAnswered(): void {
    this.#waitingForPerson = Math.max(0, this.#waitingForPerson - 1);
    if (this.#waitingForPerson === 0 && !this.#finishing) this.status.state = 'running';
    this.#deadlines?.resume();
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.#term.exited(code, signal);
    this.#turns.close();
    this.#deadlines?.clearAll();
    setTimeout(() => void this.#finish(), CLOSE_AFTER_EXIT_MS).unref();
  }

  // Runs once: stop timers, kill what the session left behind, flush files, decide the outcome.
  async #finish(): Promise<void> {
    if (this.#finishing || this.#term.exit === undefined) return;
    this.#finishing = true;
    this.#deadlines?.clearAll();
    this.#output.flushLines();
    this.metrics.settleOpenTurn();
    this.#term.killGroup();
    if (!this.#term.sandboxEmptied) {
      await reapSession(this.status.sessionId).catch((error: unknown) => this.#init.logger.error({ err: error }, 'reap failed'));
    }
    await this.#output.close();
    settleStatus(this.status, {
      exit: this.#term.exit,
      stopReason: this.#term.stopReason,
      metrics: this.metrics,
      initialized: this.#initialized,
      lastMessages: this.#lastMessages,
      secrets: this.#init.secrets,
    });
    this.refreshFromMetrics();
    await this.#init.deliver?.(this.status);
    await writeStatusFile(this.status);
    this.#done.resolve(this.status);
  }

  /** Copies the live metrics and output tails into `status`. */
  refreshFromMetrics(): void {
    refreshStatus(this.status, this.metrics, this.#output.tails(), this.#turns.tasks.list());
  }
}
