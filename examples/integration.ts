// The spec's "Integration with VP-Daemon" example, unchanged except for its import lines (it imports VPDaemon,
// which it does not use; here the names come from the package, VPDaemon aside). The spec leaves `config` and
// `uuidv4` to the reader: the preamble defines them. The spec defines handleTriageRequest without calling it:
// the epilogue calls it with a charter given by name, which buildSessionConfig looks up from the current folder
// (run from examples/, it finds examples/charters/backend-engineer.yaml).
import { randomUUID } from 'node:crypto';
import ClaudeSessionSpawner, { buildSessionConfig, determinePriority, SessionPool, SessionRecoveryManager, type TriageRequest } from 'vp-daemon';

// --- Preamble (not in the spec) ---
const config = { maxSessions: 2 };
const uuidv4 = randomUUID;

// --- The spec's example ---
// In VPDaemon initialization
const spawner = new ClaudeSessionSpawner();

const pool = new SessionPool(spawner, {
  maxConcurrentSessions: config.maxSessions,
  defaultSessionTimeout: 1800000,
  maxQueueSize: 1000,
  autoRecovery: true,
});

const recovery = new SessionRecoveryManager(spawner, {
  enabled: true,
  maxRetries: 3,
  retryDelay: 5000,
  backoffMultiplier: 2,
  saveCrashDumps: true,
  strategy: 'delayed',
});

// Handle triage requests
async function handleTriageRequest(request: TriageRequest) {
  const sessionConfig = buildSessionConfig(request);

  const poolRequest = {
    requestId: uuidv4(),
    config: sessionConfig,
    priority: determinePriority(request),
    queuedAt: new Date(),
  };

  await pool.requestSession(poolRequest);
}

// --- Epilogue (not in the spec): one triage request, its charter named, not given ---
pool.on('session-allocated', ({ sessionId }) => {
  const charter = spawner.getSessionConfig(sessionId)?.charter;
  console.log(`Charter: ${charter?.identity.name} (${charter?.identity.role})`);
});
const ended = new Promise<string>((resolve) => spawner.once('session-ended', ({ status }) => resolve(status.state)));
await handleTriageRequest({
  task: { id: 'TASK-200', description: 'Add a GET /health endpoint' },
  charter: 'backend-engineer',
  workingDirectory: '/path/to/project',
  urgency: 'asap',
});
console.log(`Priority: ${pool.getPoolStatus().activeSessions.map((s) => s.priority).join(', ')}`);
console.log(`Session ended: ${await ended}`);
console.log(`Crashes: ${recovery.getRecoveryStats().totalCrashes}`);
