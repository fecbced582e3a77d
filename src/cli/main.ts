#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isVpDaemonError } from '../session/errors.js';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../pool/options.js';
import { TASK_CHARTER_LOOKUP } from './charter-help.js';
import { clientCommands, DaemonCallError } from './commands/client.js';
import { DASHBOARD_HELP, dashboardCommand } from './commands/dashboard.js';
import { doctorCommand } from './commands/doctor.js';
import { RUN_HELP, runCommand } from './commands/run.js';
import { SERVE_HELP, serveCommand } from './commands/serve.js';
import { diffCommand, pruneCommand, workspacesCommand } from './commands/workspaces.js';
import { runDemo } from './demo.js';
import { runDashboardDemo } from './demo-dashboard.js';

const HELP = `vp-daemon: spawn, pool and supervise headless Claude Code sessions

Usage: vp-daemon <command> [options]      (vp-daemon <command> --help for details)

Commands:
  demo                     Offline showcase: sessions of the real Claude CLI against a local model server
  doctor                   What this machine offers: bubblewrap, user namespaces, the Claude CLI, git
  run <task.yaml>          Run one session in the foreground with a progress view
  serve                    Run the daemon (pool, recovery, database, control API, dashboard)
  dashboard                The dashboard's login URL for a running daemon (opened when there is a desktop)
  submit <task.yaml>       Queue a task on a running daemon
  status                   Pool and recovery status of a running daemon
  sessions                 Sessions of a running daemon
  logs <session> [--follow]  Output of a session (--follow streams it)
  approve <approval>       Let a tool call that waits for approval run
  deny <approval> [--reason TEXT]
  cancel <request> [--terminate]
  drain [--timeout MS]     Stop admitting, finish running sessions
  diff <session>           A session's changes against its base commit, as a patch
  workspaces [prune]       The workspaces kept in the state folder; prune removes those whose branches are safe

Common options: --state DIR (default .vp-daemon), --json (one JSON object per line), --help

${TASK_CHARTER_LOOKUP}

Examples:
  npx vp-daemon demo
  vp-daemon run examples/tasks/add-health-check.yaml
  vp-daemon serve --charters examples/charters   # in a terminal of its own; then:
  vp-daemon submit examples/tasks/write-release-notes.yaml && vp-daemon sessions
`;

const CLIENT_HELP: Record<string, string> = {
  submit: `vp-daemon submit <task.yaml> [--charters DIR] [--state DIR] [--json]

Validates the task file here and resolves its charter, then queues the task, charter included, on the daemon.

${TASK_CHARTER_LOOKUP}

Example:
  vp-daemon submit examples/tasks/add-health-check.yaml
`,
  status: 'vp-daemon status [--state DIR] [--json]\n\nExample:\n  vp-daemon status --json | jq .pool\n',
  sessions: 'vp-daemon sessions [--state DIR] [--json]\n\nExample:\n  vp-daemon sessions\n',
  logs: 'vp-daemon logs <session> [--follow] [--state DIR] [--json]\n\nExample:\n  vp-daemon logs claude-session-… --follow\n',
  approve: 'vp-daemon approve <approval> [--state DIR]\n\nExample:\n  vp-daemon approve approval-…\n',
  deny: 'vp-daemon deny <approval> [--reason TEXT] [--state DIR]\n\nExample:\n  vp-daemon deny approval-… --reason "not on Fridays"\n',
  cancel: 'vp-daemon cancel <request> [--terminate] [--state DIR]\n\nExample:\n  vp-daemon cancel req-… --terminate\n',
  drain: 'vp-daemon drain [--timeout MS] [--state DIR]\n\nExample:\n  vp-daemon drain --timeout 60000\n',
  diff:
    'vp-daemon diff <session> [--state DIR]\n\nPrints, as a patch, what the session\'s workspace holds beyond its base commit: its tree while the\nfolder exists (uncommitted work included), else its delivered branch. Works with no daemon running\nfor a workspace made by the session; otherwise the daemon tells where the session\'s workspace was.\n\nExample:\n  vp-daemon diff claude-session-… | git apply --stat\n',
  workspaces:
    'vp-daemon workspaces [prune] [--state DIR] [--json]\n\nLists the workspaces kept under <state>/workspaces: branch, session, changes, and whether it can be\npruned. `prune` removes those whose work is all on their repository\'s branch; a workspace in use, with\nuncommitted changes or with commits its branch lacks is kept, and no branch is ever deleted.\n\nExamples:\n  vp-daemon workspaces\n  vp-daemon workspaces prune\n',
  doctor:
    'vp-daemon doctor [--json]\n\nChecks what sandboxed sessions need: bubblewrap and user namespaces, the exec guard library,\nthe Claude CLI (and whether its version is tested), git and a C compiler. Exits 1 when a needed check fails.\n\nExample:\n  npx vp-daemon doctor\n',
  demo: 'vp-daemon demo [--json] [--keep] [--dashboard [--port N]]\n\nRuns sessions of the real Claude CLI against an offline model server and prints a summary.\nWith --dashboard: runs the same tasks on a daemon, prints the dashboard\'s login URL and serves it\nuntil Ctrl-C (the approval waits for you to click Approve).\n\nExample:\n  npx vp-daemon demo\n',
};

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  keep: { type: 'boolean' },
  dashboard: { type: 'boolean' },
  'no-open': { type: 'boolean' },
  follow: { type: 'boolean', short: 'f' },
  terminate: { type: 'boolean' },
  state: { type: 'string' },
  charters: { type: 'string' },
  reason: { type: 'string' },
  timeout: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'max-sessions': { type: 'string' },
  fleet: { type: 'string' },
  'fleet-name': { type: 'string' },
  'fleet-max-sessions': { type: 'string' },
  'fleet-remote': { type: 'string' },
  'fleet-lease-ms': { type: 'string' },
  'fleet-stalled-check-ms': { type: 'string' },
} as const;

class UsageError extends Error {}

const print = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const [command, target] = positionals;
  if (command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  const help = command === 'run' ? RUN_HELP : command === 'serve' ? SERVE_HELP : command === 'dashboard' ? DASHBOARD_HELP : CLIENT_HELP[command];
  if (help === undefined) throw new UsageError(`Unknown command: ${command}`);
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const state = values.state ?? '.vp-daemon';
  const json = values.json ?? false;
  const need = (what: string): string => {
    if (target === undefined) throw new UsageError(`${command} needs ${what}\n\n${help}`);
    return target;
  };
  const int = (value: string | undefined, fallback: number, name: string): number => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got ${value}`);
    return n;
  };
  switch (command) {
    case 'demo':
      if (values.dashboard) return runDashboardDemo({ host: values.host ?? '127.0.0.1', port: int(values.port, 0, 'port') });
      return runDemo({ json, keep: values.keep ?? false });
    case 'doctor':
      return doctorCommand(json, print);
    case 'run':
      return runCommand({ file: need('a task file'), json, stateDir: values.state, chartersDir: values.charters });
    case 'serve':
      return serveCommand({
        stateDir: state,
        chartersDir: values.charters,
        host: values.host ?? '127.0.0.1',
        port: int(values.port ?? (process.env['VP_DAEMON_PORT'] || undefined), 7878, 'port'),
        maxSessions: int(values['max-sessions'], 5, 'max-sessions'),
        ...(values.fleet !== undefined && {
          fleet: {
            url: values.fleet,
            ...(values['fleet-name'] !== undefined && { name: values['fleet-name'] }),
            ...(values['fleet-max-sessions'] !== undefined && { maxSessions: int(values['fleet-max-sessions'], 0, 'fleet-max-sessions') }),
            ...(values['fleet-remote'] !== undefined && { remote: values['fleet-remote'] }),
            ...(values['fleet-lease-ms'] !== undefined && { leaseMs: int(values['fleet-lease-ms'], 0, 'fleet-lease-ms') }),
            ...(values['fleet-stalled-check-ms'] !== undefined && { stalledCheckMs: int(values['fleet-stalled-check-ms'], 0, 'fleet-stalled-check-ms') }),
          },
        }),
      });
    case 'dashboard':
      return dashboardCommand(state, !values['no-open'], print);
    case 'submit':
      return clientCommands.submit(state, need('a task file'), { chartersDir: values.charters }, json, print);
    case 'status':
      return clientCommands.status(state, json, print);
    case 'sessions':
      return clientCommands.sessions(state, json, print);
    case 'logs':
      return clientCommands.logs(state, need('a session id'), values.follow ?? false, json, print);
    case 'approve':
      return clientCommands.approve(state, need('an approval id'), print);
    case 'deny':
      return clientCommands.deny(state, need('an approval id'), values.reason, print);
    case 'cancel':
      return clientCommands.cancel(state, need('a request id'), values.terminate ?? false, print);
    case 'diff':
      return diffCommand(state, need('a session id'), (text) => void process.stdout.write(text));
    case 'workspaces':
      if (target !== undefined && target !== 'prune') throw new UsageError(`workspaces takes prune or nothing, got ${target}\n\n${help}`);
      return target === 'prune' ? pruneCommand(state, json, print) : workspacesCommand(state, json, print);
    case 'drain':
      return clientCommands.drain(state, int(values.timeout, DEFAULT_DRAIN_TIMEOUT_MS, 'timeout'), print);
    default:
      throw new UsageError(`Unknown command: ${command}`);
  }
}

// Bad input (a config, a task file, usage) exits 2; a failed operation exits 1.
function exitCodeForError(error: unknown): number {
  if (error instanceof UsageError) return 2;
  if (isVpDaemonError(error)) return /CONFIG|OPTION|TASK_FILE|CHARTER|WORKDIR|WORKSPACE_(NOT_A_REPOSITORY|BASE_REF|BRANCH|MERGE)|FLEET_URL/.test(error.code) ? 2 : 1;
  if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) return 2;
  return 1;
}

// A closed pipe (`vp-daemon demo | head`) ends the command quietly; live sessions are killed on exit.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = isVpDaemonError(error)
      ? `${error.code}: ${error.message}`
      : error instanceof DaemonCallError || error instanceof Error
        ? error.message
        : String(error);
    process.stderr.write(`vp-daemon: ${message.trimEnd()}\n`);
    process.exitCode = exitCodeForError(error);
  },
);
