// The spec's SessionRecoveryManager usage example, unchanged except for its import lines. The spec leaves the
// spawner to the reader: the preamble makes one. The epilogue crashes a session, waits for its recovery, and
// reads the statistics again.
import ClaudeSessionSpawner, { SessionRecoveryManager } from 'vp-daemon';

// --- Preamble (not in the spec) ---
import { sessionConfig } from './preamble/session-config.js';

const spawner = new ClaudeSessionSpawner();

// --- The spec's example ---
const recoveryManager = new SessionRecoveryManager(spawner, {
  enabled: true,
  maxRetries: 3,
  retryDelay: 5000,
  backoffMultiplier: 2,
  saveCrashDumps: true,
  crashDumpDirectory: '.vp-daemon/crash-dumps',
  strategy: 'delayed',
});

// Monitor recovery events
recoveryManager.on('crash-detected', ({ sessionId, crashReport }) => {
  console.log(`Crash detected in session ${sessionId}`);
});

recoveryManager.on('crash-analyzed', ({ sessionId, analysis }) => {
  console.log(`Crash type: ${analysis.crashType}`);
  console.log(`Root cause: ${analysis.rootCause}`);
  console.log(`Recommendation: ${analysis.recommendation}`);
});

recoveryManager.on('recovery-succeeded', ({ sessionId, attemptNumber }) => {
  console.log(`Recovery successful after ${attemptNumber} attempts`);
});

// Get recovery statistics
const stats = recoveryManager.getRecoveryStats();
console.log(`Recovery rate: ${(stats.recoveryRate * 100).toFixed(1)}%`);

// --- Epilogue (not in the spec): a crash (the first session is killed by SIGKILL from outside, as the kernel's
// OOM killer does), its recovery after retryDelay, and the statistics after it ---
const recovered = new Promise<string>((resolve) => {
  recoveryManager.once('recovery-succeeded', ({ newSessionId }) => resolve(`by ${newSessionId}`));
  recoveryManager.once('recovery-failed', ({ reason }) => resolve(`failed: ${reason}`));
});
spawner.once('session-spawned', ({ pid }) => {
  if (pid > 0) process.kill(pid, 'SIGKILL');
});
await spawner.spawnSession(sessionConfig);
console.log(`Recovered ${await recovered}`);
const after = recoveryManager.getRecoveryStats();
console.log(`Recovery rate: ${(after.recoveryRate * 100).toFixed(1)}% of ${after.totalCrashes} crash(es)`);
recoveryManager.close();
