import type { EventEmitter } from 'node:events';
import type { DaemonStore } from '../store/store.js';
import type { StoredApproval, StoredRequest, StoredSession } from '../store/types.js';
import { callSafely } from '../utils/warn.js';

type RequestPatch = Partial<Pick<StoredRequest, 'state' | 'sessionId' | 'attempts' | 'error'>>;
type SessionStart = Omit<StoredSession, 'state' | 'endedAt' | 'status' | 'outcome' | 'summary'>;
interface SessionEnd {
  state: string;
  outcome?: string;
  endedAt: Date;
  status?: unknown;
  summary?: unknown;
}

/** Events of {@link VPDaemon}: each fires after what it tells has been written to the database. */
export interface DaemonEvents {
  'request-recorded': [{ requestId: string; priority: string; state: StoredRequest['state'] }];
  'request-updated': [{ requestId: string } & RequestPatch];
  'session-started': [SessionStart];
  'session-ended': [{ sessionId: string; state: string; outcome?: string; endedAt: Date }];
  /** `sessionId`: the session whose crash chain this is; `crashedSessionId`: the one that crashed this time. */
  'crash-recorded': [{ crashId: number; sessionId: string; crashedSessionId: string; crashClass: string; crashType: string }];
  'crash-dump-saved': [{ crashId: number; sessionId: string; filepath: string }];
  'approval-updated': [StoredApproval];
}

/** Writes the daemon's records and tells listeners, in that order. A listener that throws is reported, never rethrown. */
export class Recorder {
  readonly #store: DaemonStore;
  readonly #events: EventEmitter<DaemonEvents>;
  // The stored crash of each crashed session, until its dump is saved.
  readonly #crashIds = new Map<string, number>();

  constructor(store: DaemonStore, events: EventEmitter<DaemonEvents>) {
    this.#store = store;
    this.#events = events;
  }

  request(r: { requestId: string; priority: string; triage: unknown; state: StoredRequest['state'] }): void {
    this.#store.insertRequest(r);
    this.#emit('request-recorded', { requestId: r.requestId, priority: r.priority, state: r.state });
  }

  updateRequest(requestId: string, patch: RequestPatch): void {
    this.#store.updateRequest(requestId, patch);
    this.#emit('request-updated', { requestId, ...patch });
  }

  /** `status`: the session's first status, kept until its end (a restart continues in its workspace). */
  sessionStarted(s: SessionStart, status?: unknown, summary?: unknown): void {
    this.#store.recordSessionStarted({ ...s, status, summary });
    this.#emit('session-started', s);
  }

  sessionEnded(sessionId: string, end: SessionEnd): void {
    this.#store.recordSessionEnded(sessionId, end);
    this.#emit('session-ended', { sessionId, state: end.state, outcome: end.outcome, endedAt: end.endedAt });
  }

  crash(c: { sessionId: string; crashedSessionId: string; crashClass: string; crashType: string; analysis: unknown }): void {
    const crashId = this.#store.insertCrash({ sessionId: c.sessionId, crashClass: c.crashClass, crashType: c.crashType, analysis: c.analysis });
    this.#crashIds.set(c.crashedSessionId, crashId);
    // Without dumps (saveCrashDumps off, or a dump that failed) nothing removes an entry: keep the newest only.
    if (this.#crashIds.size > 1000) this.#crashIds.delete(this.#crashIds.keys().next().value!);
    this.#emit('crash-recorded', { crashId, sessionId: c.sessionId, crashedSessionId: c.crashedSessionId, crashClass: c.crashClass, crashType: c.crashType });
  }

  crashDump(crashedSessionId: string, sessionId: string, filepath: string): void {
    const crashId = this.#crashIds.get(crashedSessionId);
    if (crashId === undefined) return;
    this.#crashIds.delete(crashedSessionId);
    this.#store.setCrashDump(crashId, filepath);
    this.#emit('crash-dump-saved', { crashId, sessionId, filepath });
  }

  approval(a: StoredApproval): void {
    this.#store.upsertApproval(a);
    this.#emit('approval-updated', a);
  }

  #emit<K extends keyof DaemonEvents>(event: K, ...args: DaemonEvents[K]): void {
    callSafely(() => this.#events.emit(event, ...(args as unknown as never)), `A VPDaemon '${event}' listener threw`);
  }
}
