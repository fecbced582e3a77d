export { ClaudeSessionSpawner } from './spawner/spawner.js';
export { ClaudeSessionSpawner as default } from './spawner/spawner.js';
export type { SpawnerOptions } from './spawner/options.js';
export type { WarmSession } from './spawner/warm.js';
export { SessionPool } from './pool/pool.js';
export type { ChainEnd, PoolRecovery, RetryChain, RetryPlan } from './pool/recovery-link.js';
export type {
  PoolEvents,
  PoolMetrics,
  PoolOptions,
  PoolSpawner,
  PoolStatus,
  QueuedRequestView,
  SessionRequest,
} from './pool/types.js';
export { PriorityScheduler } from './pool/scheduler.js';
export { DEFAULT_PRIORITY_WEIGHTS } from './session/priority.js';
export type { ApprovalRequest } from './guard/session-guard.js';
export { SessionRecoveryManager } from './recovery/manager.js';
export { VPDaemon } from './daemon/daemon.js';
export type { DaemonStatus, VPDaemonOptions } from './daemon/daemon.js';
export type { DaemonEvents } from './daemon/recorder.js';
export type { FleetOptions, FleetStatus } from './daemon/fleet-node.js';
export type { FleetAttempt, FleetRequestRecord } from './fleet/ledger.js';
export type { FleetNodeView } from './fleet/nodes.js';
export { buildSessionConfig, determinePriority } from './daemon/triage.js';
export type { ResolvedTriageRequest, TriageRequest } from './session/request.js';
export { charterFolders, CHARTERS_ENV, loadCharterFile, loadCharterFileSync, loadTaskFile, resolveCharter, resolveCharterSync } from './files/load.js';
export type { CharterLookupOptions, LoadTaskFileOptions } from './files/load.js';
export { CharterNotFoundError, TaskFileError } from './session/errors.js';
export type { FileIssue } from './session/errors.js';
export { DaemonStore } from './store/index.js';
export type { StoredApproval, StoredCrash, StoredRequest, StoredSession } from './store/index.js';
export { createControlServer, createDaemonMetrics, createFleetMetrics, OPENAPI_DOCUMENT, readOrCreateToken, type FleetSnapshot } from './api/server.js';
export type { ControlBackend, ControlServer, ControlServerOptions } from './api/server.js';
export type { RecoveryAttempt, RecoveryEvents, RecoveryOptions, RecoverySpawner, RecoveryStatistics } from './recovery/types.js';
export { analyzeCrash, isCrash } from './recovery/classify.js';
export type { CrashAnalysis, CrashClass, CrashType } from './session/crash.js';
export { recoveryPolicy } from './recovery/policy.js';
export type { RecoveryDecision } from './recovery/policy.js';
export { backoffDelayMs } from './recovery/backoff.js';
export type { RecoveryStrategy } from './recovery/backoff.js';
export type { ClaudeSessionConfig, ClaudeSessionStatus, MemoryContext, SessionCrashReport, SessionMetrics, SessionCounts, SessionMetricsSummary, SessionOutcome, SessionEvidence, SessionPriority, SessionState, SpawnResult, TaskContext, TokenUsage, VPCharter, VPIdentity, WorkspaceDelivery, WorkspaceSpec, WorkspaceStatus } from './session/types.js';
export type { SpawnerEvents } from './spawner/types.js';
export type { StreamMessage, ResultMessage, AssistantMessage, SystemInitMessage } from './spawner/stream/messages.js';
export { renderCharter } from './charter/render.js';
export { buildPrompt } from './charter/prompt.js';
export { validateSessionConfig } from './charter/schema.js';
export { TOOL_NAMES, cliToolsFor } from './charter/tools.js';
export { decideOutcome, classifyApiError } from './spawner/outcome.js';
export type { EndFacts, StopReason } from './spawner/outcome.js';
export { buildClaudeArgs } from './spawner/args.js';
export { buildSessionEnv, DEFAULT_INHERITED_ENV, SESSION_MARKER_VAR } from './spawner/env.js';
export { resolveClaudePath } from './spawner/resolve-claude.js';
export { findSessionProcesses } from './spawner/process-tree.js';
export { ClaudeBinaryError, ConfigError, DuplicateRequestError, PoolDrainingError, QueueFullError, RequestCancelledError, SessionFailedError, ErrorCodes, isVpDaemonError, SessionNotFoundError, SessionNotRunningError, SpawnError, SandboxUnavailableError, StateDirError, VpDaemonError, WorkingDirectoryError, WorkspaceError, WorkspaceUnsafeError } from './session/errors.js';
export type { ErrorCode } from './session/errors.js';
export {
  checkWorkspace,
  continueWorkspace,
  createWorkspace,
  finalizeWorkspace,
  gitIdentityEnv,
  leaseWorkspace,
  listWorkspaces,
  openWorkspace,
  pruneWorkspaces,
  removeWorkspace,
  reportWorkspaces,
  resolveWorkspaceSpec,
  workspaceChanges,
  workspaceDiff,
  workspaceFootprint,
  workspaceHolder,
  workspaceSafety,
} from './workspace/index.js';
export type { PruneResult, RemoveOptions, ResolvedSpec, TreeChanges, Workspace, WorkspaceFootprint, WorkspaceLease, WorkspaceReport, WorkspaceSafety } from './workspace/index.js';
