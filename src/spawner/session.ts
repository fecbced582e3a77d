import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { userMessageLine } from '../charter/prompt.js';
import { SpawnError } from '../session/errors.js';
import { createDeferred } from '../utils/deferred.js';
import type { Logger } from '../utils/logger.js';
import { redactText, redactValue } from '../utils/redact.js';
import { Deadlines, type DeadlineSettings } from './deadlines.js';
import { MetricsAccumulator } from './metrics.js';
import { decideOutcome, signalFromExitCode, type StopReason } from './outcome.js';
import { OutputFile, TailBuffer } from './output.js';
import { reapSession, signalGroupExcept, signalProcess } from './process-tree.js';
import { ContentDeltaFilter } from './stream/content-delta-filter.js';
import { LineSplitter } from './stream/line-splitter.js';
import { isAssistant, isInit, isResult, isStreamEvent, isUser, type StreamMessage, type UserMessage } from './stream/messages.js';
import { isContentDeltaLine, parseLine } from './stream/parse-line.js';
import type { ClaudeSessionStatus } from '../session/types.js';
import type { SpawnerEvents } from './types.js';

/** What the spawner hands a session to run. */
export interface SessionRunInit {
  status: ClaudeSessionStatus;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  prompt: string;
  deadlines: DeadlineSettings;
  killGraceMs: number;
  tailBytes: number;
  /** Token budget (`charter.resources.maxTokens`). */
  maxTokens: number;
  /** Cost budget in USD (`charter.resources.maxCostUsd`); none when undefined. */
  maxCostUsd?: number;
  secrets: string[];
  /** The CLI runs inside bubblewrap: the process is bwrap, which reports the CLI's death by signal n as exit code 128+n. */
  sandboxed: boolean;
  logger: Logger;
  emit: <K extends keyof SpawnerEvents>(event: K, ...payload: SpawnerEvents[K]) => void;
  wants: (event: keyof SpawnerEvents) => boolean;
}

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
  readonly #stdoutTail: TailBuffer;
  readonly #stderrTail: TailBuffer;
  readonly #splitter = new LineSplitter();
  // stdout as listeners and the tail see it: without the content deltas of partial messages (see the filter).
  readonly #shownStdout = new ContentDeltaFilter();
  #child: ChildProcessWithoutNullStreams | undefined;
  #stdoutFile: OutputFile | undefined;
  #stderrFile: OutputFile | undefined;
  #deadlines: Deadlines | undefined;
  #stopReason: StopReason | undefined;
  // User messages sent and not yet answered by a `result`; the session ends when this reaches 0.
  #pendingTurns = 1;
  #answered = false;
  #exit: { code: number | null; signal: string | null } | undefined;
  #finishing = false;
  #forceKillTimer: NodeJS.Timeout | undefined;
  #budgetWarned = false;
  #costWarned = false;
  #initialized = false;
  // The last stream-json messages, for crash evidence (bounded).
  readonly #lastMessages: StreamMessage[] = [];
  // Tool calls waiting for a person; the session is `waiting_input` while this is above 0.
  #waitingForPerson = 0;
  #lingerTimer: NodeJS.Timeout | undefined;
  // Tool calls the guard has decided and whose result has not arrived yet.
  readonly #guarded = new Set<string>();

  constructor(init: SessionRunInit) {
    this.#init = init;
    this.status = init.status;
    this.#stdoutTail = new TailBuffer(init.tailBytes);
    this.#stderrTail = new TailBuffer(init.tailBytes);
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
    // detached: the CLI leads its own process group, so the group can be signalled as one.
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      await once(child, 'spawn');
    } catch (cause) {
      throw new SpawnError(`Could not start ${command}: ${(cause as Error).message}`, { cause });
    }
    this.#child = child;
    this.#stdoutFile = new OutputFile(this.status.files.stdout);
    this.#stderrFile = new OutputFile(this.status.files.stderr);
    this.status.pid = child.pid;
    this.status.state = 'running';
    this.status.startTime = new Date();
    child.stdin.on('error', (error) => this.#init.logger.debug({ err: error, sessionId: this.status.sessionId }, 'stdin closed'));
    child.stdout.on('data', (chunk: Buffer) => this.#onStdout(chunk));
    child.stderr.on('data', (chunk: Buffer) => this.#onStderr(chunk));
    child.on('exit', (code, signal) => this.#onExit(code, signal));
    child.on('close', () => void this.#finish());
    if (!deferred) this.activate(this.#init.prompt, this.#init.deadlines);
  }

  /**
   * Whether this process keeps the daemon's event loop alive. A warm process waiting for work does not:
   * an idle pool must not stop a program from exiting (the exit handler then stops the process).
   */
  keepAlive(on: boolean): void {
    const child = this.#child;
    if (!child) return;
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as { ref(): unknown; unref(): unknown }[]) {
      if (on) handle.ref();
      else handle.unref();
    }
  }

  /** Sends the first message and starts the deadlines (at once, or when a warm session is handed a task). */
  activate(prompt: string, deadlines: DeadlineSettings): void {
    this.status.startTime = new Date();
    this.#deadlines = new Deadlines(deadlines, (reason) => this.#expire(reason));
    this.#child?.stdin.write(userMessageLine(prompt));
  }

  /** False once every message was answered and stdin is closed: the session is ending. */
  get acceptsInput(): boolean {
    return !this.#answered && this.#exit === undefined && !this.#finishing;
  }

  /** Sends a follow-up user message; the session then waits for its answer before ending. */
  sendInput(text: string): void {
    this.#pendingTurns += 1;
    this.#child?.stdin.write(userMessageLine(text));
  }

  /** Stops the session on request; it ends `terminated` unless it had already finished its work. */
  async terminate(graceful: boolean): Promise<ClaudeSessionStatus> {
    this.stop(this.#answered ? undefined : 'terminated', graceful);
    return this.completion;
  }

  /** Stops the process group: SIGTERM, then SIGKILL after the grace period (or SIGKILL at once). */
  stop(reason: StopReason | undefined, graceful = true): void {
    const pid = this.#child?.pid;
    // A process that already exited keeps the end it had; nothing is left to stop.
    if (pid === undefined || this.#exit !== undefined) return;
    if (reason !== undefined) this.#stopReason ??= reason;
    this.#child?.stdin.end();
    if (!graceful) {
      signalProcess(-pid, 'SIGKILL');
      return;
    }
    if (this.#init.sandboxed) signalGroupExcept(pid, pid, 'SIGTERM');
    else signalProcess(-pid, 'SIGTERM');
    this.#forceKillTimer ??= setTimeout(() => signalProcess(-pid, 'SIGKILL'), this.#init.killGraceMs);
  }

  #expire(reason: StopReason): void {
    if (this.#answered || this.#stopReason !== undefined || this.#exit !== undefined) return;
    this.#init.emit('session-timeout', { sessionId: this.status.sessionId, kind: reason.slice('timeout:'.length) as 'wall' });
    this.stop(reason);
  }

  #onStdout(chunk: Buffer): void {
    const child = this.#child;
    if (child) this.#stdoutFile?.write(chunk, child.stdout);
    const shown = this.#shownStdout.push(chunk);
    if (shown.length > 0) this.#stdoutTail.push(shown);
    this.#deadlines?.activity();
    if (shown.length > 0 && this.#init.wants('session-output')) {
      const data = redactText(shown.toString('utf8'), this.#init.secrets);
      this.#init.emit('session-output', { sessionId: this.status.sessionId, type: 'stdout', data });
    }
    this.#splitter.push(chunk, (line) => this.#onLine(line), () => this.#malformed('line too long'));
  }

  #onStderr(chunk: Buffer): void {
    const child = this.#child;
    if (child) this.#stderrFile?.write(chunk, child.stderr);
    this.#stderrTail.push(chunk);
    if (this.#init.wants('session-output')) {
      const data = redactText(chunk.toString('utf8'), this.#init.secrets);
      this.#init.emit('session-output', { sessionId: this.status.sessionId, type: 'stderr', data });
    }
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
    if (message === undefined) return this.#malformed(line);
    this.metrics.apply(message);
    if (isStreamEvent(message)) return this.#checkBudget();
    this.#lastMessages.push(message);
    if (this.#lastMessages.length > LAST_MESSAGES) this.#lastMessages.shift();
    if (isInit(message)) {
      this.#initialized = true;
      this.#deadlines?.started();
    }
    else if (isResult(message)) {
      this.#onResult();
      this.#checkBudget(message.subtype === 'error_max_budget_usd');
    }
    else if (isAssistant(message)) this.#checkBudget();
    else if (isUser(message)) this.#checkGuarded(message);
    if (this.#init.wants('session-message')) {
      this.#init.emit('session-message', { sessionId: this.status.sessionId, message: redactValue(message, this.#init.secrets) });
    }
    this.onMessage?.(message);
  }

  /** Hook for policies that watch the stream (budgets); called after metrics are updated. */
  onMessage: ((message: StreamMessage) => void) | undefined;

  #onResult(): void {
    this.#pendingTurns -= 1;
    if (this.#pendingTurns > 0) return;
    // Every message is answered: close stdin and the CLI exits on its own.
    this.#answered = true;
    this.#child?.stdin.end();
    // A CLI that does not exit after its last answer is stopped (its outcome stays as answered).
    this.#lingerTimer ??= setTimeout(() => this.stop(undefined), this.#init.killGraceMs);
  }

  /** True once the tokens or the cost used, including the running turn, reach their budget. */
  get overBudget(): boolean {
    const maxCost = this.#init.maxCostUsd;
    return this.metrics.liveTokens >= this.#init.maxTokens || (maxCost !== undefined && this.metrics.liveCostUsd >= maxCost);
  }

  // Live accounting, O(1) per message: input tokens count from a call's `message_start`, output tokens from
  // its `message_delta`, so the model call that crosses a budget is the last one the session gets.
  // `cliStopped`: the CLI's own `--max-budget-usd` ended the turn (the backstop of `maxCostUsd`).
  #checkBudget(cliStopped = false): void {
    const m = this.metrics;
    const { maxTokens, maxCostUsd } = this.#init;
    const used = m.liveTokens;
    const cost = m.liveCostUsd;
    const warn = (kind: 'tokens' | 'cost'): void =>
      this.#init.emit('budget-warning', { sessionId: this.status.sessionId, kind, usedTokens: used, maxTokens, usedCostUsd: cost, maxCostUsd });
    if (!this.#budgetWarned && used >= 0.8 * maxTokens) {
      this.#budgetWarned = true;
      warn('tokens');
    }
    if (maxCostUsd !== undefined && !this.#costWarned && cost >= 0.8 * maxCostUsd) {
      this.#costWarned = true;
      warn('cost');
    }
    if (this.#answered) return;
    if (used >= maxTokens) this.stop('budget:tokens');
    else if (cliStopped || (maxCostUsd !== undefined && cost >= maxCostUsd)) this.stop('budget:cost');
  }

  /** The guard decided the tool call `toolUseId` (its hook ran). */
  guardSaw(toolUseId: string): void {
    this.#guarded.add(toolUseId);
  }

  // A tool that ran although its guard hook never asked (the hook was killed, or hooks were switched off)
  // means the charter is not being enforced: the session is stopped at once.
  #checkGuarded(message: UserMessage): void {
    const content = message.message.content;
    if (!Array.isArray(content)) return;
    for (const block of content) {
      if (block.type !== 'tool_result' || typeof block['tool_use_id'] !== 'string') continue;
      const id = block['tool_use_id'];
      if (this.#guarded.delete(id) || block['is_error'] === true) continue;
      this.#init.logger.error({ sessionId: this.status.sessionId, toolUseId: id }, 'a tool ran without a guard decision; stopping the session');
      this.stop('guard:bypassed');
    }
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

  #malformed(line: string): void {
    this.metrics.metrics.malformedLines += 1;
    if (this.metrics.metrics.malformedLines <= 5) {
      this.#init.logger.warn({ sessionId: this.status.sessionId, line: redactText(line.slice(0, 200)) }, 'malformed stream-json line');
    }
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const inner = this.#init.sandboxed && signal === null ? signalFromExitCode(code) : undefined;
    this.#exit = inner === undefined ? { code, signal } : { code: null, signal: inner };
    this.#deadlines?.clearAll();
    clearTimeout(this.#forceKillTimer);
    clearTimeout(this.#lingerTimer);
    setTimeout(() => void this.#finish(), CLOSE_AFTER_EXIT_MS).unref();
  }

  // Runs once: stop timers, kill what the session left behind, flush files, decide the outcome.
  async #finish(): Promise<void> {
    if (this.#finishing || this.#exit === undefined) return;
    this.#finishing = true;
    this.#deadlines?.clearAll();
    const last = this.#splitter.end();
    if (last !== undefined) this.#onLine(last);
    this.metrics.settleOpenTurn();
    const pid = this.#child?.pid;
    if (pid !== undefined) signalProcess(-pid, 'SIGKILL');
    await reapSession(this.status.sessionId).catch((error: unknown) => this.#init.logger.error({ err: error }, 'reap failed'));
    this.#child?.stdout.destroy();
    this.#child?.stderr.destroy();
    await Promise.all([this.#stdoutFile?.end(), this.#stderrFile?.end()]);
    this.#settle();
    await writeFile(join(this.status.files.dir, 'status.json'), JSON.stringify(this.status, null, 2)).catch(() => undefined);
    this.#done.resolve(this.status);
  }

  #settle(): void {
    const m = this.metrics;
    const exit = this.#exit ?? { code: null, signal: null };
    const { state, outcome } = decideOutcome({
      exitCode: exit.code,
      signal: exit.signal,
      stopReason: this.#stopReason,
      result: m.lastResult,
      assistantError: m.lastAssistantError,
    });
    const status = this.status;
    status.state = state;
    status.outcome = outcome;
    status.exitCode = exit.code;
    status.signal = exit.signal;
    status.endTime = new Date();
    status.executionTime = status.endTime.getTime() - status.startTime.getTime();
    if (state !== 'completed') status.errorMessage = outcome.message ?? outcome.reason;
    const result = m.lastResult;
    status.evidence = {
      resultSubtype: result?.subtype,
      isError: result?.is_error,
      apiErrorStatus: result?.api_error_status,
      apiError: result?.api_error,
      assistantError: m.lastAssistantError,
      terminalReason: result?.terminal_reason,
      lastApiRetry: m.lastApiRetry,
      rateLimitResetsAtMs: m.rateLimitResetsAtMs,
      initialized: this.#initialized,
      lastMessages: redactValue(this.#lastMessages, this.#init.secrets),
    };
    this.refreshFromMetrics();
  }

  /** Copies the live metrics and output tails into `status`. */
  refreshFromMetrics(): void {
    const m = this.metrics;
    const status = this.status;
    status.metrics = structuredClone(m.metrics);
    status.tokenUsage = { ...m.tokenUsage };
    status.costUsd = m.costUsd;
    status.modifiedFiles = [...m.modifiedFiles];
    status.model = m.model;
    status.claudeCodeVersion = m.claudeCodeVersion;
    status.resultText = m.lastResult?.result;
    status.stdout = redactText(this.#stdoutTail.toString(), this.#init.secrets);
    status.stderr = redactText(this.#stderrTail.toString(), this.#init.secrets);
  }
}
