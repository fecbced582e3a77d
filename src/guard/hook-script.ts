// The PreToolUse hook the Claude CLI runs before every tool call. It is written into the session
// folder as a self-contained script: it forwards the call to the session's guard socket and prints
// the decision. Any failure denies the call (exit 2), so a broken channel never lets a call through.

/** Source of the hook script (plain ESM, Node built-ins only). */
export const HOOK_SCRIPT = `import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const deny = (reason) => {
  process.stdout.write(JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } }));
  process.exit(0);
};
const fail = (reason) => {
  process.stderr.write('vp-daemon guard: ' + reason + '\\n');
  process.exit(2);
};

// Deny before the CLI's own hook timeout runs out: a hook that times out there would let the call through.
const deadlineMs = Number(process.argv[3]);
if (deadlineMs > 0) setTimeout(() => fail('no decision in time'), deadlineMs).unref();

let channel;
try {
  channel = JSON.parse(readFileSync(process.argv[2], 'utf8'));
} catch (error) {
  fail('cannot read the guard channel: ' + error.message);
}
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const socket = connect(channel.socket);
  let reply = '';
  socket.on('connect', () => socket.write(JSON.stringify({ token: channel.token, call: JSON.parse(Buffer.concat(chunks).toString('utf8')) }) + '\\n'));
  socket.on('data', (d) => { reply += d; });
  socket.on('error', (error) => fail('guard unreachable: ' + error.message));
  socket.on('close', () => {
    let decision;
    try { decision = JSON.parse(reply); } catch { return fail('no decision from the guard'); }
    if (decision.decision === 'allow') process.exit(0);
    deny(decision.reason || 'Denied by the session charter.');
  });
});
`;

const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * The `--settings` JSON that makes the CLI run the guard hook before every tool call.
 * `waitSeconds` bounds how long the CLI lets the hook wait (for a person's approval).
 */
export function hookSettings(input: { nodePath: string; scriptPath: string; channelPath: string; waitSeconds: number }): string {
  const deadlineMs = Math.max(1000, (input.waitSeconds - 10) * 1000);
  const command = [input.nodePath, input.scriptPath, input.channelPath, String(deadlineMs)].map(shellQuote).join(' ');
  return JSON.stringify({
    // `onFailure: 'block'`: a hook that crashes or is killed blocks the call (2.1.198 and later; 2.1.197 ignores
    // the key and lets such a call through, which the spawner catches as `guard:bypassed`).
    hooks: { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command, timeout: input.waitSeconds, onFailure: 'block' }] }] },
  });
}
