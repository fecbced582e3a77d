// An in-memory ControlBackend for the control API's tests.
import type { ControlBackend, FeedEvent, SessionEvent } from '../../src/api/server.js';

/** An in-memory control backend: records calls, serves two sessions and one approval. */
export class FakeBackend implements ControlBackend {
  calls: [string, ...unknown[]][] = [];
  failure: Error | undefined;
  unsubscribed = 0;
  sessions = [{ sessionId: 's-1', state: 'running' }, { sessionId: 's-2', state: 'completed' }];
  submit(request: unknown) {
    this.calls.push(['submit', request]);
    return this.failure ? Promise.reject(this.failure) : Promise.resolve({ requestId: 'r-1', priority: 'high' });
  }
  listSessions(filter: { state?: string; limit?: number }) {
    this.calls.push(['listSessions', filter]);
    return this.sessions.filter((s) => filter.state === undefined || s.state === filter.state).slice(0, filter.limit);
  }
  getSession = (id: string) => this.sessions.find((s) => s.sessionId === id);
  followSession(id: string, onEvent: (event: SessionEvent) => void) {
    if (!this.getSession(id)) return undefined;
    onEvent({ type: 'output', data: 'tail line\n' }); // the tail, before followSession returns
    const live = setImmediate(() => {
      onEvent({ type: 'message', data: { type: 'assistant', text: 'hi' } });
      onEvent({ type: 'ended', data: { state: 'completed' } });
      onEvent({ type: 'output', data: 'after the end' });
    });
    return () => {
      this.unsubscribed += 1;
      clearImmediate(live);
    };
  }
  listApprovals = () => [{ approvalId: 'p-1', tool: 'Bash' }];
  approve = (id: string) => (this.calls.push(['approve', id]), id === 'p-1');
  deny = (id: string, reason?: string) => (this.calls.push(['deny', id, reason]), id === 'p-1');
  cancel = (id: string, terminate: boolean) => (this.calls.push(['cancel', id, terminate]), id === 'r-1');
  terminate = (id: string) => Promise.resolve(id === 's-1');
  drain = (timeoutMs: number) => (this.calls.push(['drain', timeoutMs]), Promise.resolve());
  status = () => ({ pool: { capacity: 2 }, daemon: { pid: 1 } });
  fleetRequests = () => Promise.resolve([]);
  metrics = () => ({ pool: { totalSessions: 3 } });
  sessionsPage = ({ offset, limit }: { offset: number; limit: number }) => ({ total: this.sessions.length, rows: this.sessions.slice(offset, offset + limit) });
  sessionView = (id: string) => Promise.resolve(this.getSession(id) && { row: this.getSession(id), crashes: [], attempts: [] });
  fleet = () => ({ byState: { running: 1, completed: 1 }, series: [], crashClasses: {}, recoveries: { attempted: 0, succeeded: 0, failed: 0 } });
  feed = new Set<(event: FeedEvent) => void>();
  subscribe(onEvent: (event: FeedEvent) => void) {
    this.feed.add(onEvent);
    return () => void this.feed.delete(onEvent);
  }
}
