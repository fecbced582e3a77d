// The spec's "Crash Analysis Example": what the analysis of a crash holds. The spec shows it as a bare object,
// which is not a statement; it is kept, named and typed, as the one change. The epilogue makes such a crash:
// a session killed by SIGKILL from outside, as the kernel's OOM killer does, and prints its analysis.
import ClaudeSessionSpawner, { analyzeCrash, type CrashAnalysis } from 'vp-daemon';

// --- Preamble (not in the spec) ---
import { sessionConfig } from './preamble/session-config.js';

// --- The spec's example ---
const example: Partial<CrashAnalysis> = {
  crashType: 'oom',
  rootCause: 'Out of memory - session exceeded available RAM',
  recommendation: 'Automatic recovery with increased memory allocation',
  confidence: 0.9,
  suggestedFixes: [
    'Increase memory limits',
    'Reduce batch size or chunk operations'
  ]
};

// --- Epilogue (not in the spec): a real crash of that type, analysed ---
const spawner = new ClaudeSessionSpawner();
spawner.once('session-spawned', ({ pid }) => {
  if (pid > 0) process.kill(pid, 'SIGKILL');
});
const { completion } = await spawner.spawnSession(sessionConfig);
const crashed = await completion;
const analysis = analyzeCrash(crashed);
console.log(`Session ${crashed.state} (${crashed.outcome?.reason ?? '?'})`);
for (const field of Object.keys(example) as (keyof CrashAnalysis)[]) console.log(`${field}: ${JSON.stringify(analysis[field])}`);
