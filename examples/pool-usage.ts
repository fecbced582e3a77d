// The spec's SessionPool usage example, unchanged except for its import lines. The spec leaves
// `sessionConfig` to the reader; the preamble gives the config of the spec's spawner example.
import ClaudeSessionSpawner, { SessionPool } from 'vp-daemon';

// --- Preamble (not in the spec) ---
import { sessionConfig } from './preamble/session-config.js';

// --- The spec's example ---
const spawner = new ClaudeSessionSpawner();
const pool = new SessionPool(spawner, {
  maxConcurrentSessions: 5,
  minIdleSessions: 1,
  defaultSessionTimeout: 1800000,
  maxQueueSize: 20,
  autoRecovery: true,
});

// Request session from pool
const request = {
  requestId: 'req-001',
  config: sessionConfig,
  priority: 'high',
  queuedAt: new Date(),
  onAllocated: sessionId => {
    console.log(`Session ${sessionId} allocated`);
  },
  onCompleted: status => {
    console.log(`Session completed: ${status.state}`);
  },
  onFailed: error => {
    console.error(`Session failed: ${error.message}`);
  },
};

const result = await pool.requestSession(request);

// Monitor pool status
const status = pool.getPoolStatus();
console.log(`Pool utilization: ${status.utilization}%`);
console.log(`Active sessions: ${status.activeCount}/${status.capacity}`);
console.log(`Queued requests: ${status.queuedCount}`);

// --- Epilogue (not in the spec): the request's session, counted by the pool ---
const metrics = pool.getMetrics();
console.log(JSON.stringify({ totalSessions: metrics.totalSessions, sessionId: result.sessionId }));
