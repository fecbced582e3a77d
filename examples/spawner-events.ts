// The spec's ClaudeSessionSpawner events example, unchanged except for its import line. The spec leaves the
// spawner to the reader: the preamble makes one; the epilogue runs a session so the events happen.
import ClaudeSessionSpawner from 'vp-daemon';

// --- Preamble (not in the spec) ---
import { sessionConfig } from './preamble/session-config.js';

const spawner = new ClaudeSessionSpawner();

// --- The spec's example ---
// Session lifecycle
spawner.on('session-spawned', ({ sessionId, pid }) => {});
spawner.on('session-ended', ({ sessionId, status }) => {});
spawner.on('session-timeout', ({ sessionId }) => {});

// Output streaming
spawner.on('session-output', ({ sessionId, type, data }) => {
  // type: 'stdout' | 'stderr'
  // data: string chunk
});

// --- Epilogue (not in the spec): one session, and the events it emitted, in order ---
const seen: string[] = [];
const note = (event: string) => (): void => void (seen.includes(event) || seen.push(event));
spawner.on('session-spawned', note('session-spawned'));
spawner.on('session-output', note('session-output'));
spawner.on('session-timeout', note('session-timeout'));
spawner.on('session-ended', note('session-ended'));
const { completion } = await spawner.spawnSession(sessionConfig);
const finalStatus = await completion;
console.log(`Listeners: ${spawner.eventNames().map(String).join(', ')}`);
console.log(`Events: ${seen.join(', ')}`);
console.log(`Session ended: ${finalStatus.state}`);
