import { markedProcessesSync, signalProcess } from './process-tree.js';

// Sessions alive in this process, by session id, with their process group id.
const live = new Map<string, number>();
let installed = false;

// When the daemon exits, nothing it started may outlive it.
function killAllSync(): void {
  if (live.size === 0) return;
  for (const pgid of live.values()) signalProcess(-pgid, 'SIGKILL');
  const marked = markedProcessesSync();
  for (const sessionId of live.keys()) for (const pid of marked.get(sessionId) ?? []) signalProcess(pid, 'SIGKILL');
  live.clear();
}

/** Registers a live session so it is killed if the daemon process exits first. */
export function trackLiveSession(sessionId: string, pgid: number): void {
  live.set(sessionId, pgid);
  if (!installed) {
    installed = true;
    process.on('exit', killAllSync);
  }
}

export function untrackLiveSession(sessionId: string): void {
  live.delete(sessionId);
}
