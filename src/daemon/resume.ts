// What a daemon's start picks up from the previous one: leftover processes stopped, interrupted sessions resumed in
// their conversations and workspaces, queued requests run again, and stale workspaces removed when that is safe.
import { resolveCharter, type CharterLookupOptions } from '../files/load.js';
import { reapSession } from '../spawner/process-tree.js';
import { continuedConfig } from '../session/continuation.js';
import type { TriageRequest } from '../session/request.js';
import type { ClaudeSessionConfig, ClaudeSessionStatus } from '../session/types.js';
import type { DaemonStore } from '../store/store.js';
import type { Logger } from '../utils/logger.js';
import type { Recorder } from './recorder.js';
import { reviveTriage } from './revive.js';
import { removeStaleWorkspaces } from './stale-workspaces.js';
import { buildSessionConfig } from './triage.js';

export interface ResumeContext {
  store: DaemonStore;
  recorder: Recorder;
  charters: CharterLookupOptions;
  logger: Logger;
  workspacesRoot: string;
  /** In a fleet, the queue on Redis gives an interrupted request to a node again (BullMQ's stalled-job check). */
  inFleet: boolean;
  enqueue: (requestId: string, priority: string, config: ClaudeSessionConfig) => void;
}

/** Picks up what the previous daemon on this state folder left. */
export async function resumeAfterRestart(ctx: ResumeContext): Promise<void> {
  const { store, recorder, logger } = ctx;
  const interrupted = new Map<string, { resumeId: string; status: Partial<ClaudeSessionStatus> | undefined }>();
  for (const session of store.unfinishedSessions()) {
    const killed = await reapSession(session.sessionId);
    recorder.sessionEnded(session.sessionId, { state: 'crashed', outcome: 'daemon_restart', endedAt: new Date() });
    if (session.requestId) interrupted.set(session.requestId, { resumeId: session.claudeSessionId, status: session.status as Partial<ClaudeSessionStatus> | undefined });
    const next = ctx.inFleet ? 'the fleet gives its request to a node again' : 'resuming it';
    logger.warn({ sessionId: session.sessionId, killed }, `session interrupted by a daemon restart; ${next}`);
  }
  const continuing = new Set<string>();
  if (ctx.inFleet) {
    // Not run again from here: the fleet's queue gives each to a node (maybe this one), under a newer lease.
    for (const request of store.listRequests({ state: ['queued', 'running'] })) {
      recorder.updateRequest(request.requestId, { state: 'failed', error: 'interrupted by a restart of this node; the fleet gives it to a node again' });
    }
  }
  const open = ctx.inFleet ? [] : store.listRequests({ state: ['queued', 'running'] });
  for (const request of open) {
    const triage = reviveTriage(request.triage as TriageRequest);
    const charter = await resolveCharter(triage.charter, { ...ctx.charters, baseDir: triage.workingDirectory });
    const config = buildSessionConfig({ ...triage, charter });
    const previous = interrupted.get(request.requestId);
    recorder.updateRequest(request.requestId, { state: 'queued', attempts: request.attempts + 1 });
    // The interrupted conversation is resumed in the interrupted session's workspace.
    const next = previous ? continuedConfig(config, previous.status, previous.resumeId || undefined) : config;
    if (next.workspace?.path !== undefined) continuing.add(next.workspace.path);
    ctx.enqueue(request.requestId, request.priority, next);
  }
  await removeStaleWorkspaces(ctx.workspacesRoot, store.pageSessions({ limit: 10_000 }).sessions, continuing, logger);
}
