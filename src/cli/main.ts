#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isVpDaemonError } from '../errors.js';
import { runDemo } from './demo.js';

const HELP = `vp-daemon: spawn, pool and supervise headless Claude Code sessions

Usage:
  vp-daemon demo [--json] [--keep]   Run sessions of the real Claude CLI against an offline model server
  vp-daemon --help                   Show this help

Options:
  --json   One JSON object per line instead of a table
  --keep   Keep the demo's working folder and session files

Examples:
  npx vp-daemon demo
  npx vp-daemon demo --json | jq .state
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, keep: { type: 'boolean' } },
  });
  const [command] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'demo') return runDemo({ json: values.json ?? false, keep: values.keep ?? false });
  process.stderr.write(`Unknown command: ${command}\n\n${HELP}`);
  return 2;
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
    const message = isVpDaemonError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    process.stderr.write(`vp-daemon: ${message}\n`);
    process.exitCode = 1;
  },
);
