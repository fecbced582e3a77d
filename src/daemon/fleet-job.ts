// One fleet job on this node: a fenced lease on the request, a takeover when an earlier node left it unfinished (the
// same conversation, restored from the fleet's transcript mirror, in a workspace continued from the branch the
// earlier node pushed), and, while the session runs, the lease checked, the transcript mirrored and the branch
// pushed. Losing the lease stops the session; a write after that carries an old token and is refused.
import { dirname, join } from 'node:path';
import type { FleetLease, FleetLedger, FleetRequestRecord } from '../fleet/ledger.js';
import { findTranscript, restoreTranscript, TranscriptMirror } from '../fleet/transcript.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';
import type { Logger } from '../utils/logger.js';
import { fetchBranch, openWorkspace, publishBranch, pushBranch, workspaceHead, workspaceTreePath } from '../workspace/index.js';

/** What a fleet job needs of its daemon. */
export interface FleetJobHost {
  readonly stateDir: string;
  readonly workspacesRoot: string;
  readonly ledger: FleetLedger;
  readonly node: string;
  /** The git remote the workspaces' branches are pushed to (a remote's name in the repository, or a URL). */
  readonly remote: string;
  readonly leaseMs: number;
  readonly logger: Logger;
  /** Runs `config` in this node's pool. */
  enqueue(config: ClaudeSessionConfig, settle: { allocated: (sessionId: string) => void; resolve: (status: ClaudeSessionStatus) => void; reject: (error: Error) => void }): void;
  status(sessionId: string): ClaudeSessionStatus | null;
  /** Stops the request's session here at once (its lease is lost). */
  stop(): void;
}

/** How a job ended on this node: settled with a final state, or left for another node. */
export type FleetJobEnd = { kind: 'settled'; state: string; sessionId?: string } | { kind: 'failed'; error: Error } | { kind: 'left'; why: string };

/** Runs one request taken from the fleet's queue; `stopping` says this node is shutting down. */
export async function runFleetJob(host: FleetJobHost, requestId: string, config: ClaudeSessionConfig, stopping: () => boolean): Promise<FleetJobEnd> {
  const { lease, previous } = await host.ledger.acquire(requestId, host.node);
  // Completed by an earlier holder that died before BullMQ heard it: nothing runs again.
  if (previous?.state === 'completed') return { kind: 'settled', state: 'completed', ...(previous.sessionId === undefined ? {} : { sessionId: previous.sessionId }) };
  if (previous?.claudeSessionId !== undefined) await takeOver(host, requestId, config, previous);
  const job = new LeaseKeeper(host, lease, config);
  try {
    const status = await new Promise<ClaudeSessionStatus>((resolve, reject) => host.enqueue(config, { allocated: (id) => job.allocated(id), resolve, reject }));
    await job.finish(status);
    if (job.lost) return { kind: 'left', why: job.lost };
    const written = await host.ledger.write(lease, { state: status.state, sessionId: status.sessionId, ...(status.workspace && { headCommit: status.workspace.headCommit }) });
    if (!written) return late(host, lease, `its end (${status.state})`);
    return { kind: 'settled', state: status.state, sessionId: status.sessionId };
  } catch (error) {
    if (job.lost) return { kind: 'left', why: job.lost };
    if (stopping()) {
      // Stopped by this node's shutdown: what the session did last goes to the fleet, for the node that continues.
      await job.finish(undefined).catch(() => undefined);
      return { kind: 'left', why: 'this node is stopping' };
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    if (!(await host.ledger.write(lease, { state: 'failed', error: failure.message }))) return late(host, lease, 'its failure');
    return { kind: 'failed', error: failure };
  } finally {
    job.close();
  }
}

function late(host: FleetJobHost, lease: FleetLease, what: string): FleetJobEnd {
  host.logger.warn({ requestId: lease.requestId, token: lease.token }, `a newer lease holds this request: ${what} was refused`);
  return { kind: 'left', why: 'a newer lease holds the request' };
}

// The previous attempt's conversation and branch, made ready here: its workspace continued from the pushed branch,
// its transcript where `--resume` reads it.
async function takeOver(host: FleetJobHost, requestId: string, config: ClaudeSessionConfig, previous: FleetRequestRecord): Promise<void> {
  const { claudeSessionId, branch } = previous;
  if (claudeSessionId === undefined) return;
  let cwd = config.workingDirectory;
  if (config.workspace && branch !== undefined) {
    const repository = config.workspace.repository ?? config.workingDirectory;
    const head = await fetchBranch(repository, branch, host.remote).catch((error: unknown) => {
      host.logger.warn({ requestId, err: error }, 'the fleet remote has no branch to continue from: the workspace starts from its base');
      return undefined;
    });
    if (head !== undefined) {
      config.workspace = { ...config.workspace, branch, path: await workspaceTreePath(host.workspacesRoot, repository, branch) };
      cwd = config.workspace.path!;
    }
  }
  if (await restoreTranscript(host.ledger, requestId, claudeSessionId, join(host.stateDir, 'claude-projects'), cwd)) config.resumeClaudeSessionId = claudeSessionId;
  host.logger.info({ requestId, from: previous.node, claudeSessionId, resumed: config.resumeClaudeSessionId !== undefined }, 'taking a request over from another node');
}

// While the session runs: the lease checked (lost: the session is stopped), the transcript mirrored, the branch pushed.
class LeaseKeeper {
  lost: string | undefined;
  readonly #host: FleetJobHost;
  readonly #lease: FleetLease;
  readonly #branch: string | undefined;
  readonly #timer: NodeJS.Timeout;
  #lastHeldAt = Date.now();
  #sessionId: string | undefined;
  #mirror: TranscriptMirror | undefined;
  #pushed: string | undefined;
  #busy: Promise<void> | undefined;

  constructor(host: FleetJobHost, lease: FleetLease, config: ClaudeSessionConfig) {
    this.#host = host;
    this.#lease = lease;
    this.#branch = config.workspace?.branch;
    this.#timer = setInterval(() => void (this.#busy ??= this.#tick().finally(() => (this.#busy = undefined))), Math.max(200, Math.min(1000, host.leaseMs / 5)));
    this.#timer.unref();
  }

  allocated(sessionId: string): void {
    this.#sessionId = sessionId;
    const status = this.#host.status(sessionId);
    if (!status) return;
    const projects = join(status.files.dir, 'claude-config', 'projects');
    this.#mirror = new TranscriptMirror(this.#host.ledger, this.#lease, status.claudeSessionId, () => findTranscript(projects, status.claudeSessionId));
    void this.#host.ledger.write(this.#lease, { sessionId, claudeSessionId: status.claudeSessionId, ...(status.workspace && { branch: status.workspace.branch }) }).catch(() => undefined);
  }

  async #tick(): Promise<void> {
    if (this.lost) return;
    // A stalled event loop (SIGSTOP) wakes here: the lease ran out meanwhile, whatever Redis says later.
    if (Date.now() - this.#lastHeldAt > this.#host.leaseMs) return this.#lose(`no lease renewal for over ${this.#host.leaseMs} ms`);
    const held = await withTimeout(this.#host.ledger.holds(this.#lease), this.#host.leaseMs / 3).catch(() => undefined);
    if (held === false) return this.#lose('another node took the request over');
    if (held === undefined) return;
    this.#lastHeldAt = Date.now();
    if ((await this.#mirror?.sync().catch(() => 'ok' as const)) === 'fenced') return this.#lose('another node took the request over');
    await this.#pushWork().catch((error: unknown) => this.#host.logger.warn({ requestId: this.#lease.requestId, err: error }, 'could not push the branch to the fleet remote'));
  }

  #lose(why: string): void {
    this.lost = why;
    this.#host.logger.warn({ requestId: this.#lease.requestId, token: this.#lease.token }, `fleet lease lost (${why}): stopping the session`);
    this.#host.stop();
  }

  // A new commit on the session's branch goes to the fleet remote.
  async #pushWork(): Promise<void> {
    const path = this.#sessionId === undefined ? undefined : this.#host.status(this.#sessionId)?.workspace?.path;
    if (path === undefined) return;
    const ws = await openWorkspace(dirname(path));
    const head = await workspaceHead(ws);
    if (head === undefined || head === this.#pushed || !(await this.#host.ledger.holds(this.#lease))) return;
    await publishBranch(ws, head, this.#host.remote);
    this.#pushed = head;
    await this.#host.ledger.write(this.#lease, { branch: ws.branch, headCommit: head });
  }

  /**
   * At the session's end (its branch delivered): the last of the transcript, and the final branch pushed. Without
   * a final status (the session was stopped for a shutdown): the branch as the workspace has it.
   */
  async finish(status: ClaudeSessionStatus | undefined): Promise<void> {
    await this.#busy;
    clearInterval(this.#timer);
    if (this.lost || !(await this.#host.ledger.holds(this.#lease))) {
      this.lost ??= 'another node took the request over';
      return;
    }
    if ((await this.#mirror?.sync()) === 'fenced') this.lost = 'another node took the request over';
    if (!status) return this.#pushWork();
    const ws = status.workspace;
    if (!ws || ws.error !== undefined || this.#branch === undefined || this.lost) return;
    // The work is delivered to this node's repository either way; a remote that refuses it is reported, not fatal.
    await pushBranch(ws.repository, ws.branch, this.#host.remote).catch((error: unknown) => {
      this.#host.logger.error({ requestId: this.#lease.requestId, err: error }, 'could not push the final branch to the fleet remote');
    });
  }

  close(): void {
    clearInterval(this.#timer);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
