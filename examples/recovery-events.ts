// The spec's SessionRecoveryManager events example, unchanged except for its import line. The spec leaves the
// recovery manager to the reader: the preamble makes one that retries at once. The epilogue crashes a session
// (killed by SIGKILL from outside, as the kernel's OOM killer does), so the events of a crash and its recovery
// happen.
import ClaudeSessionSpawner, { SessionRecoveryManager } from 'vp-daemon';

// --- Preamble (not in the spec) ---
import { sessionConfig } from './preamble/session-config.js';

const spawner = new ClaudeSessionSpawner();
const recoveryManager = new SessionRecoveryManager(spawner, { strategy: 'immediate', crashDumpDirectory: '.vp-daemon/crash-dumps' });

// --- The spec's example ---
recoveryManager.on('crash-detected', ({ sessionId, crashReport }) => {});
recoveryManager.on('crash-analyzed', ({ sessionId, analysis }) => {});
recoveryManager.on('recovery-attempt', ({ sessionId, attemptNumber, analysis }) => {});
recoveryManager.on('recovery-succeeded', ({ sessionId, attemptNumber }) => {});
recoveryManager.on('recovery-failed', ({ sessionId, reason }) => {});
recoveryManager.on('crash-dump-saved', ({ sessionId, filepath }) => {});

// --- Epilogue (not in the spec): the events, in the order they came ---
const seen: string[] = [];
recoveryManager.on('crash-detected', ({ crashReport }) => seen.push(`crash-detected (${crashReport.lastState}, ${crashReport.outcome?.reason ?? '?'})`));
recoveryManager.on('crash-analyzed', ({ analysis }) => seen.push(`crash-analyzed (${analysis.crashType})`));
recoveryManager.on('crash-dump-saved', () => seen.push('crash-dump-saved'));
recoveryManager.on('recovery-attempt', ({ attemptNumber }) => seen.push(`recovery-attempt ${attemptNumber}`));
recoveryManager.on('recovery-failed', ({ reason }) => seen.push(`recovery-failed: ${reason}`));
const done = new Promise<void>((resolve) => {
  recoveryManager.once('recovery-succeeded', ({ attemptNumber }) => resolve(void seen.push(`recovery-succeeded after ${attemptNumber}`)));
  recoveryManager.once('recovery-failed', () => resolve());
});
spawner.once('session-spawned', ({ pid }) => {
  if (pid > 0) process.kill(pid, 'SIGKILL');
});
await spawner.spawnSession(sessionConfig);
await done;
for (const event of seen) console.log(event);
recoveryManager.close();
