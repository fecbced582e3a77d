import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { SessionPool } from '../pool/pool.js';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../pool/options.js';
import type { PoolMetrics, PoolStatus } from '../pool/types.js';
import { SessionRecoveryManager } from '../recovery/manager.js';
import type { RecoveryStatistics } from '../recovery/types.js';
import type { SpawnerOptions } from '../spawner/options.js';
import { ClaudeSessionSpawner } from '../spawner/spawner.js';
import { sharedLauncher } from '../spawner/launcher/client.js';
import { withTimeout } from '../utils/deferred.js';
import { workspacesRoot } from '../spawner/workspace-run.js';
import { checkWorkspace, resolveWorkspaceSpec } from '../workspace/index.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus, SessionMetricsSummary } from '../session/types.js';
import { DaemonStore } from '../store/store.js';
import { createLogger, type Logger } from '../utils/logger.js';
import { resolveCharter, type CharterLookupOptions } from '../files/load.js';
import { buildSessionConfig, determinePriority } from './triage.js';
import { Recorder, type DaemonEvents } from './recorder.js';
import { recordEvents } from './record-events.js';
import { carryOut } from './commands.js';
import { reviveTriage } from './revive.js';
import { resumeAfterRestart } from './resume.js';
import { summarize, type SessionSummary } from './session-rows.js';
import { FLEET_DEFAULTS, FleetNode, type FleetOptions, type FleetStatus } from './fleet-node.js';
import type { FleetRequestRecord } from '../fleet/ledger.js';
import { runFleetJob, type FleetJobEnd, type FleetJobHost } from './fleet-job.js';
import { leaseDeadlineMs } from './fleet-lease-keeper.js';
import type { FleetCommand } from '../fleet/control.js';
import type { FleetJobData } from '../fleet/queue.js';
import type { ResolvedTriageRequest, TriageRequest } from '../session/request.js';

// How long a stopping fleet node waits for its jobs to record their ends.
const FLEET_JOBS_GRACE_MS = 10_000;

/** Options of {@link VPDaemon}. */
export interface VPDaemonOptions {
  /** State folder: database, session files, crash dumps, API token. @default '.vp-daemon' */
  readonly stateDir?: string;
  /** Sessions running at once: the pool's `maxConcurrentSessions`. */
  readonly maxSessions?: number;
  /** The pool's `maxQueueSize`. */
  readonly maxQueueSize?: number;
  /** The pool's `defaultSessionTimeout`, in ms. */
  readonly defaultSessionTimeout?: number;
  /**
   * Folder looked in first for a charter a request names (`<name>.yaml`); then `VP_DAEMON_CHARTERS`, a `charters`
   * folder in the request's working folder and each parent up to its repository root, and `<stateDir>/../charters`.
   */
  readonly chartersDir?: string;
  /** Options of the spawner (env, claudePath, ...); its `stateDir` is the daemon's. */
  readonly spawner?: Omit<SpawnerOptions, 'stateDir' | 'logger'>;
  /** Options of the recovery manager (its dumps go to `<stateDir>/crash-dumps`). */
  readonly recovery?: ConstructorParameters<typeof SessionRecoveryManager>[1];
  readonly logger?: Logger;
  /** Join a fleet: requests go into its queue on Redis, and this daemon runs the jobs it takes (see `FleetOptions`). */
  readonly fleet?: FleetOptions;
}

/** What `VPDaemon` reports about itself. */
export interface DaemonStatus {
  pid: number;
  stateDir: string;
  startedAt?: Date;
  pool: PoolStatus;
  sessions: SessionMetricsSummary;
  recovery: RecoveryStatistics;
}

/**
 * The integration of the spec: one spawner, one pool (with auto recovery) and one recovery manager,
 * with every request and session kept in an embedded database so a restart loses nothing.
 */
export class VPDaemon extends EventEmitter<DaemonEvents> {
  readonly spawner: ClaudeSessionSpawner;
  readonly pool: SessionPool;
  readonly recovery: SessionRecoveryManager;
  readonly stateDir: string;
  readonly #logger: Logger;
  readonly #charters: CharterLookupOptions;
  #store: DaemonStore | undefined;
  #recorder: Recorder | undefined;
  #startedAt: Date | undefined;
  #stopping: Promise<void> | undefined;
  readonly #fleetOptions: FleetOptions | undefined;
  #fleet: FleetNode | undefined;
  readonly #fleetJobs = new Set<Promise<FleetJobEnd>>();

  constructor(options: VPDaemonOptions = {}) {
    super();
    this.#fleetOptions = options.fleet;
    this.stateDir = resolve(options.stateDir ?? '.vp-daemon');
    this.#charters = { chartersDir: options.chartersDir, fallbackDir: resolve(this.stateDir, '..', 'charters') };
    this.#logger = options.logger ?? createLogger();
    // In a fleet each session has its own Claude config folder: its transcript is mirrored for a takeover from there.
    const configDir = options.fleet ? { claudeConfigDir: 'per-session' as const } : {};
    this.spawner = new ClaudeSessionSpawner({ ...configDir, ...options.spawner, stateDir: this.stateDir, logger: this.#logger });
    // The pool's and the recovery's own defaults apply to what is not given.
    this.pool = new SessionPool(this.spawner, {
      maxConcurrentSessions: options.maxSessions,
      defaultSessionTimeout: options.defaultSessionTimeout,
      maxQueueSize: options.maxQueueSize,
      autoRecovery: true,
    });
    this.recovery = new SessionRecoveryManager(this.spawner, {
      crashDumpDirectory: resolve(this.stateDir, 'crash-dumps'),
      ...options.recovery,
      // A rate limit seen on one node of a fleet pauses every node's admissions until it resets.
      onRateLimit: (untilMs) => {
        options.recovery?.onRateLimit?.(untilMs);
        this.#fleet?.pauseAll(untilMs).catch((error: unknown) => this.#logger.warn({ err: error }, 'could not pause the fleet for a rate limit'));
      },
    });
    this.pool.attachRecovery(this.recovery);
  }

  /** The open database (after `start`). */
  get store(): DaemonStore {
    if (!this.#store) throw new Error('VPDaemon is not started');
    return this.#store;
  }

  /**
   * Opens the state folder (refusing a second daemon on it), records sessions as they run, and picks up
   * what a previous daemon left: leftover processes are stopped, interrupted sessions are resumed, queued
   * requests run again.
   */
  async start(): Promise<void> {
    if (this.#store) return;
    mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    this.#store = DaemonStore.open(this.stateDir);
    if (this.#fleetOptions) {
      // Redis unreachable, or another fleet in its database: a typed error, and nothing starts.
      try {
        const carryOut = (command: FleetCommand): Promise<boolean> => this.#carryOut(command);
        const running = (): number => this.spawner.getActiveSessions().length;
        this.#fleet = await FleetNode.join(this.#fleetOptions, this.pool.getPoolStatus().capacity, (data) => this.#runFleetJob(data), carryOut, this.#logger, running);
      } catch (error) {
        this.#store.close();
        this.#store = undefined;
        throw error;
      }
    }
    // A node stalled past its lease (SIGSTOP, a frozen loop) must not go on running sessions another node takes
    // over: the launcher, a process of its own, kills them when this loop stops beating for that long.
    // Sooner than BullMQ's lock can run out (half a lease after its last renewal), with a check's margin.
    if (this.#fleet) sharedLauncher().watchHeartbeat(Math.max(500, leaseDeadlineMs(this.#fleetOptions?.leaseMs ?? FLEET_DEFAULTS.leaseMs) - 250));
    this.#recorder = new Recorder(this.#store, this);
    this.#startedAt = new Date();
    recordEvents({
      pool: this.pool,
      spawner: this.spawner,
      recovery: this.recovery,
      store: this.#store,
      recorder: this.#recorder,
      stopping: () => this.#stopping !== undefined,
      summary: (sessionId, status) => this.sessionSummary(sessionId, status),
    });
    await resumeAfterRestart({
      store: this.#store,
      recorder: this.#recorder,
      charters: this.#charters,
      logger: this.#logger,
      workspacesRoot: workspacesRoot(this.stateDir),
      inFleet: this.#fleet !== undefined,
      enqueue: (requestId, priority, config) => this.#enqueue(requestId, priority, config),
    });
  }

  /** Drains the pool (running sessions get `timeoutMs` to finish) and closes the database. Idempotent. */
  stop(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS): Promise<void> {
    this.#stopping ??= (async () => {
      // A fleet node takes no more jobs; a job whose session the drain stops is left unsettled, so that, once the
      // worker is gone, BullMQ's stalled-job check gives it to another node.
      await this.#fleet?.pause();
      await this.pool.drain(timeoutMs);
      // A fleet job still writing its end (or handing its request back) finishes before Redis is let go.
      await withTimeout(Promise.allSettled(this.#fleetJobs), FLEET_JOBS_GRACE_MS);
      await this.#fleet?.close();
      if (this.#fleet) sharedLauncher().watchHeartbeat(undefined);
      this.recovery.close();
      this.#store?.close();
    })();
    return this.#stopping;
  }

  /**
   * Turns a triage request into a pooled session: resolves its charter, builds the session config,
   * maps its urgency to a priority and queues it. Resolves once it is queued (durably).
   */
  async handleTriageRequest(request: TriageRequest): Promise<{ requestId: string; priority: string }> {
    const recorder = this.#recorderOrThrow();
    const charter = await resolveCharter(request.charter, { ...this.#charters, baseDir: request.workingDirectory });
    const resolved: ResolvedTriageRequest = { ...request, charter, requestId: request.requestId ?? `req-${randomUUID()}` };
    const config = buildSessionConfig(resolved);
    // A bad repository, base ref or branch is refused now, not when the session would start.
    const spec = config.workspace && resolveWorkspaceSpec(config.workspace, { workingDirectory: config.workingDirectory, taskId: config.taskContext.taskId });
    if (spec) await checkWorkspace(spec, workspacesRoot(this.stateDir));
    const priority = determinePriority(resolved);
    if (this.#fleet) {
      // Every node that runs it uses one branch: the request's own, or the one checked now.
      if (spec) resolved.workspace = { ...config.workspace, branch: spec.branch };
      await this.#fleet.submit(resolved.requestId!, priority, resolved);
      return { requestId: resolved.requestId!, priority };
    }
    recorder.request({ requestId: resolved.requestId!, priority, triage: resolved, state: 'queued' });
    this.#enqueue(resolved.requestId!, priority, config);
    return { requestId: resolved.requestId!, priority };
  }

  /**
   * Stops admitting (in a fleet: this node takes no more jobs, the others go on), lets running sessions finish for
   * `timeoutMs`, then stops the rest. The daemon keeps serving; `stop()` ends it.
   */
  async drain(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS): Promise<void> {
    await this.#fleet?.pause();
    await this.pool.drain(timeoutMs);
  }

  /** Approves a call waiting for approval, here or on the fleet node that holds it. Whether one was found. */
  approve(approvalId: string): Promise<boolean> {
    return this.#here({ type: 'approve', approvalId });
  }

  /** Denies a call waiting for approval, here or on the fleet node that holds it. */
  deny(approvalId: string, reason?: string): Promise<boolean> {
    return this.#here({ type: 'deny', approvalId, ...(reason !== undefined && { reason }) });
  }

  /** Cancels a request (waiting here, in the fleet's queue, or running on a node with `terminate`). */
  async cancel(requestId: string, terminate: boolean): Promise<boolean> {
    if (await this.#carryOut({ type: 'cancel', requestId, terminate })) return true;
    if (await this.#fleet?.removeQueued(requestId)) return true;
    return (await this.#fleet?.relay({ type: 'cancel', requestId, terminate })) ?? false;
  }

  /** Terminates a running session, here or on the fleet node that runs it. */
  terminate(sessionId: string): Promise<boolean> {
    return this.#here({ type: 'terminate', sessionId });
  }

  // This node first; then, in a fleet, whichever node holds the target.
  async #here(command: FleetCommand): Promise<boolean> {
    if (await this.#carryOut(command)) return true;
    return (await this.#fleet?.relay(command)) ?? false;
  }

  // A command carried out on this node only: whether its target was here.
  #carryOut(command: FleetCommand): Promise<boolean> {
    return carryOut(command, { spawner: this.spawner, pool: this.pool, recorder: this.#recorder });
  }

  /** Pool, sessions and recovery in one view. */
  getStatus(): DaemonStatus {
    return {
      pid: process.pid,
      stateDir: this.stateDir,
      startedAt: this.#startedAt,
      pool: this.pool.getPoolStatus(),
      sessions: this.spawner.getMetricsSummary(),
      recovery: this.recovery.getRecoveryStats(),
    };
  }

  /** In a fleet: its nodes with their heartbeats, its pause and its jobs; undefined otherwise. */
  fleetStatus(): Promise<FleetStatus | undefined> {
    return this.#fleet?.status() ?? Promise.resolve(undefined);
  }

  /** In a fleet: the newest requests any node started, with the node and attempt of each; [] otherwise. */
  fleetRequests(limit = 200): Promise<FleetRequestRecord[]> {
    return this.#fleet?.ledger.list(limit) ?? Promise.resolve([]);
  }

  /** The pool's metrics (the spec's view). */
  getMetrics(): PoolMetrics {
    return this.pool.getMetrics();
  }

  /** The list figures of a session: from `status` (default: its live one) and the config and request it ran for. */
  sessionSummary(sessionId: string, status: ClaudeSessionStatus | null = this.spawner.getSessionStatus(sessionId)): SessionSummary {
    const requestId = this.#store?.getSession(sessionId)?.requestId;
    const priority = requestId === undefined ? undefined : this.#store?.getRequest(requestId)?.priority;
    return summarize(status ?? undefined, this.spawner.getSessionConfig(sessionId), priority);
  }

  #recorderOrThrow(): Recorder {
    if (!this.#recorder) throw new Error('VPDaemon is not started');
    return this.#recorder;
  }

  #enqueue(requestId: string, priority: string, config: ClaudeSessionConfig, settle?: { allocated?: (sessionId: string) => void; resolve: (status: ClaudeSessionStatus) => void; reject: (error: Error) => void }): void {
    const store = this.#recorderOrThrow();
    void this.pool.requestSession({
      requestId,
      config,
      priority,
      queuedAt: new Date(),
      onAllocated: (sessionId) => {
        store.updateRequest(requestId, { state: 'running', sessionId });
        settle?.allocated?.(sessionId);
      },
      onCompleted: (status) => {
        store.updateRequest(requestId, { state: 'completed' });
        settle?.resolve(status);
      },
      onFailed: (error) => {
        this.#requestFailed(requestId, error);
        settle?.reject(error);
      },
    });
  }

  // A job this node took from the fleet's queue: recorded here, run in this node's pool under a fenced lease.
  #runFleetJob(data: FleetJobData): Promise<FleetJobEnd> {
    const recorder = this.#recorderOrThrow();
    const fleet = this.#fleet!;
    const triage = reviveTriage(data.triage as TriageRequest) as ResolvedTriageRequest;
    const previous = this.store.getRequest(data.requestId);
    if (previous) recorder.updateRequest(data.requestId, { state: 'queued', attempts: previous.attempts + 1 });
    else recorder.request({ requestId: data.requestId, priority: data.priority, triage: data.triage, state: 'queued' });
    const host: FleetJobHost = {
      stateDir: this.stateDir,
      workspacesRoot: workspacesRoot(this.stateDir),
      ledger: fleet.ledger,
      node: fleet.id,
      remote: this.#fleetOptions?.remote ?? FLEET_DEFAULTS.remote,
      leaseMs: this.#fleetOptions?.leaseMs ?? FLEET_DEFAULTS.leaseMs,
      logger: this.#logger,
      enqueue: (config, settle) => this.#enqueue(data.requestId, data.priority, config, settle),
      status: (sessionId) => this.spawner.getSessionStatus(sessionId),
      stop: () => {
        this.pool.cancelRequest(data.requestId, { terminate: true });
        recorder.updateRequest(data.requestId, { state: 'failed', error: 'its fleet lease was lost: another node continues it' });
      },
    };
    const job = runFleetJob(host, data.requestId, buildSessionConfig(triage), () => this.#stopping !== undefined);
    this.#fleetJobs.add(job);
    void job.finally(() => this.#fleetJobs.delete(job)).catch(() => undefined);
    return job;
  }

  #requestFailed(requestId: string, error: Error): void {
    // A request still open when the daemon stops keeps its state in the database, to run after a restart.
    if (this.#stopping) return;
    const cancelled = (error as { code?: string }).code === 'ERR_REQUEST_CANCELLED';
    this.#recorder?.updateRequest(requestId, { state: cancelled ? 'cancelled' : 'failed', error: error.message });
  }
}
