// The spec's SessionPool events example, unchanged except for its import line. The spec leaves the pool to
// the reader: the preamble makes one with room for one session; the epilogue queues two requests, cancels the
// second, lets the first finish and drains the pool, so every event happens.
import ClaudeSessionSpawner, { SessionPool } from 'vp-daemon';

// --- Preamble (not in the spec) ---
import { sessionConfig } from './preamble/session-config.js';

const pool = new SessionPool(new ClaudeSessionSpawner(), { maxConcurrentSessions: 1 });

// --- The spec's example ---
pool.on('session-allocated', ({ requestId, sessionId }) => {});
pool.on('session-released', ({ sessionId, status }) => {});
pool.on('request-queued', ({ requestId, position, queueLength }) => {});
pool.on('request-cancelled', ({ requestId }) => {});
pool.on('pool-draining', () => {});
pool.on('pool-drained', () => {});

// --- Epilogue (not in the spec): the events, in the order they came ---
const seen: string[] = [];
pool.on('request-queued', ({ requestId, position }) => seen.push(`request-queued ${requestId} at ${position}`));
pool.on('session-allocated', ({ requestId }) => seen.push(`session-allocated ${requestId}`));
pool.on('request-cancelled', ({ requestId }) => seen.push(`request-cancelled ${requestId}`));
pool.on('session-released', ({ status }) => seen.push(`session-released ${status.state}`));
pool.on('pool-draining', () => seen.push('pool-draining'));
pool.on('pool-drained', () => seen.push('pool-drained'));

const first = pool.requestSession({ requestId: 'req-1', config: sessionConfig, priority: 'high' });
const second = pool.requestSession({ requestId: 'req-2', config: sessionConfig, priority: 'low' });
pool.cancelRequest('req-2');
const { completion } = await first;
await second.catch((error: Error) => seen.push(`req-2: ${error.message}`));
await completion;
await pool.drain(10_000);
for (const event of seen) console.log(event);
