// The spec's "Pool Metrics" example. The spec prints its sample output as a bare object after `// Output:`,
// which is not a statement; it is kept, named and typed, as the one change. The spec leaves the pool to the
// reader: the preamble makes one and runs a request through it, so there is something to count.
import ClaudeSessionSpawner, { SessionPool, type PoolMetrics } from 'vp-daemon';

// --- Preamble (not in the spec) ---
import { sessionConfig } from './preamble/session-config.js';

const pool = new SessionPool(new ClaudeSessionSpawner(), { maxConcurrentSessions: 5, maxQueueSize: 20 });
const { completion } = await pool.requestSession({ requestId: 'req-001', config: sessionConfig, priority: 'high', queuedAt: new Date() });
await completion;

// --- The spec's example ---
const metrics = pool.getMetrics();

// Output:
const output: Partial<PoolMetrics> = {
  totalSessions: 50,
  activeSessions: 5,
  completedSessions: 40,
  failedSessions: 3,
  crashedSessions: 2,
  avgExecutionTime: 450000,
  totalTokensUsed: 5000000,
  poolUtilization: 100,
  queueLength: 3,
  queueWaitTime: 120000
};

// --- Epilogue (not in the spec): the real figures, and whether each field of the spec's output is one ---
console.log(JSON.stringify(metrics));
const fields = Object.keys(output) as (keyof PoolMetrics)[];
console.log(`Spec fields present: ${fields.filter((field) => typeof metrics[field] === 'number').length}/${fields.length}`);
