// While a fleet session runs: its lease checked (lost: the session is stopped), its transcript mirrored, and its
// work pushed to the fleet remote as snapshots. The lease check never waits for the mirror or a push.
import { dirname, join } from 'node:path';
import type { FleetLease } from '../fleet/ledger.js';
import { findTranscript, TranscriptMirror } from '../fleet/transcript.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus, VPIdentity } from '../session/types.js';
import { dropProgress, openWorkspace, ProgressPusher, pushBranch } from '../workspace/index.js';
import { rejectAfter } from '../utils/deferred.js';
import type { FleetJobHost, Resumed } from './fleet-host.js';

/** How often the work in progress is snapshotted and pushed, at most. */
export const PROGRESS_INTERVAL_MS = 5_000;

/**
 * How long a node may go without confirming its lease before it stops its session: half the lease, since BullMQ
 * renews its lock every half lease, so the lock can run out that soon after the last renewal.
 */
export const leaseDeadlineMs = (leaseMs: number): number => Math.floor(leaseMs / 2);

export class LeaseKeeper {
  lost: string | undefined;
  readonly #host: FleetJobHost;
  readonly #lease: FleetLease;
  readonly #identity: VPIdentity;
  readonly #deadlineMs: number;
  readonly #timer: NodeJS.Timeout;
  #lastHeldAt = Date.now();
  #sessionId: string | undefined;
  #mirror: TranscriptMirror | undefined;
  #pusher: ProgressPusher | undefined;
  /** The last snapshot pushed (the next one's parent), and when. */
  #pushed: string | undefined;
  #pushedAt = 0;
  #checking: Promise<void> | undefined;
  #working: Promise<void> | undefined;

  readonly #resumed: Resumed;

  /** `resumed`: what a taken-over request continues from (the last work pushed, the transcript restored). */
  constructor(host: FleetJobHost, lease: FleetLease, config: ClaudeSessionConfig, resumed: Resumed) {
    this.#resumed = resumed;
    this.#host = host;
    this.#lease = lease;
    this.#identity = config.charter.identity;
    this.#deadlineMs = leaseDeadlineMs(host.leaseMs);
    this.#pushed = resumed.head;
    this.#timer = setInterval(() => {
      this.#checking ??= this.#check().finally(() => (this.#checking = undefined));
      this.#working ??= this.#work().finally(() => (this.#working = undefined));
    }, Math.max(200, Math.min(1000, this.#deadlineMs / 3)));
    this.#timer.unref();
  }

  allocated(sessionId: string): void {
    this.#sessionId = sessionId;
    const status = this.#host.status(sessionId);
    if (!status) return;
    const projects = join(status.files.dir, 'claude-config', 'projects');
    // A restored transcript is in the mirror already: only what the CLI adds to it goes there.
    const restored = this.#resumed.claudeSessionId === status.claudeSessionId ? (this.#resumed.transcriptBytes ?? 0) : 0;
    this.#mirror = new TranscriptMirror(this.#host.ledger, this.#lease, status.claudeSessionId, () => findTranscript(projects, status.claudeSessionId), restored);
    void this.#host.ledger.write(this.#lease, { sessionId, claudeSessionId: status.claudeSessionId, ...(status.workspace && { branch: status.workspace.branch }) }).catch(() => undefined);
  }

  async #check(): Promise<void> {
    if (this.lost) return;
    // A stalled event loop wakes here: the lease may have run out meanwhile, whatever Redis says later.
    if (Date.now() - this.#lastHeldAt > this.#deadlineMs) return this.#lose(`no lease renewal for over ${this.#deadlineMs} ms`);
    const held = await rejectAfter(this.#host.ledger.holds(this.#lease), this.#deadlineMs / 3, () => new Error('timed out')).catch(() => undefined);
    if (held === false) return this.#lose('another node took the request over');
    if (held === true) this.#lastHeldAt = Date.now();
  }

  async #work(): Promise<void> {
    if (this.lost) return;
    if ((await this.#mirror?.sync().catch(() => 'ok' as const)) === 'fenced') return this.#lose('another node took the request over');
    if (Date.now() - this.#pushedAt < PROGRESS_INTERVAL_MS) return;
    await this.#pushProgress().catch((error: unknown) => this.#host.logger.warn({ requestId: this.#lease.requestId, err: error }, 'could not push the work in progress to the fleet remote'));
  }

  #lose(why: string): void {
    this.lost = why;
    this.#host.logger.warn({ requestId: this.#lease.requestId, token: this.#lease.token }, `fleet lease lost (${why}): stopping the session`);
    this.#host.stop();
  }

  // The tree as it is now, as a snapshot on the last one, to the remote's progress ref (only over the last one).
  async #pushProgress(): Promise<void> {
    this.#pushedAt = Date.now();
    const path = this.#sessionId === undefined ? undefined : this.#host.status(this.#sessionId)?.workspace?.path;
    if (path === undefined) return;
    if (!this.#pusher) {
      const ws = await openWorkspace(dirname(path));
      this.#pusher = new ProgressPusher(ws, this.#identity);
      this.#pushed ??= ws.baseCommit;
    }
    if (!(await this.#host.ledger.holds(this.#lease))) return;
    const expected = (await this.#host.ledger.get(this.#lease.requestId))?.headCommit;
    const commit = await this.#pusher.push(this.#host.remote, this.#pushed!, expected);
    if (commit === undefined) return;
    this.#pushed = commit;
    if (!(await this.#host.ledger.write(this.#lease, { headCommit: commit }))) this.#lose('another node took the request over');
  }

  /**
   * At the session's end (its branch delivered): the last of the transcript, and the final branch pushed. Without
   * a final status (the session was stopped for a shutdown): a last snapshot of the work in progress.
   */
  async finish(status: ClaudeSessionStatus | undefined): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([this.#checking, this.#working]);
    if (this.lost || !(await this.#host.ledger.holds(this.#lease))) {
      this.lost ??= 'another node took the request over';
      return;
    }
    if ((await this.#mirror?.sync()) === 'fenced') this.lost = 'another node took the request over';
    if (this.lost) return;
    if (!status) return this.#pushProgress();
    const ws = status.workspace;
    if (!ws || ws.error !== undefined) return;
    // The work is delivered to this node's repository either way; a remote that refuses it is reported, not fatal.
    try {
      await pushBranch(ws.repository, ws.branch, this.#host.remote);
      await dropProgress(ws.repository, ws.branch, this.#host.remote);
    } catch (error) {
      this.#host.logger.error({ requestId: this.#lease.requestId, err: error }, 'could not push the final branch to the fleet remote');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([this.#checking, this.#working]).catch(() => undefined);
    await this.#pusher?.close();
  }
}
