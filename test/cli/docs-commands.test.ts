// Every command line README.md and the `--help` texts print, run as printed in a copy of this checkout (its
// examples, its sources), against the offline model server. Placeholders (<session>, approval-…, ...) get ids
// of sessions, approvals and requests the test prepares on a daemon serving the same state folder.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bash, say, startModelServer, type ModelServer } from '../../src/testing/index.js';
import { cliEnv } from '../helpers/cli.js';
import { helpExamples, makeCheckout, readmeLines, REPO, shell, startShell, stopGroup, subcommands, type Checkout, type DocLine } from '../helpers/docs.js';
import { tempDir, waitFor } from '../helpers/fixtures.js';
import { prepare, startDaemon, type Daemon } from '../helpers/docs-daemon.js';

// npm lines that are not run here, and why. Any other npm line fails the test until it is run or listed.
const NOT_RUN: Record<string, string> = {
  'npm install': 'installs the dependencies, which this suite runs on',
  'npm test': 'runs this whole suite (build, typecheck, lint, tests)',
  'npm start': 'the demo after a build: test/cli/demo.test.ts runs the demo, and `npx vp-daemon demo` runs here',
  'npm run build': 'npm test builds first; rebuilding dist/ while other tests run from it would break them',
  'npm run bench': 'the benchmarks: minutes of full load, not a test',
};
// Inline code that names a command in a sentence without being a command line.
const MENTIONS: Record<string, string> = {
  'npm run': 'a program the exec guard sees (README: charter enforcement, isolation)',
  'npm publish': 'a requiredApprovals term',
};
const CLIENT = ['submit', 'status', 'sessions', 'logs', 'approve', 'deny', 'cancel', 'drain', 'diff', 'dashboard'];

const isNpm = (text: string): boolean => /^npm(\s|$)/.test(text);
/** Whether every npm command of a line (`a && b`, `a; b`) is one NOT_RUN lists (with or without more arguments). */
const listed = (text: string): boolean =>
  text.split(/\s*(?:&&|;)\s*/).every((part) => Object.keys(NOT_RUN).some((command) => part === command || part.startsWith(`${command} `)));

describe('the command lines of the docs, run as printed', () => {
  let server: ModelServer;
  let home: ReturnType<typeof tempDir>;
  let checkout: Checkout;
  const lines: DocLine[] = [];
  const ran = new Set<string>();
  const daemons: Daemon[] = [];

  before(async () => {
    server = await startModelServer({
      scenarios: [
        { name: 'quick', steps: [say('Quick answer.')] },
        { name: 'edit', steps: [bash('echo hello > hello.txt'), say('Wrote hello.txt.')] },
        // Waits for an approval; approved or denied, it keeps its slot a few seconds more, then finishes.
        { name: 'approval', steps: [bash('echo deploy staging'), bash('echo waiting && sleep 5'), say('Done after the approval.')] },
      ],
    });
    home = tempDir('vp-docs-home-');
    checkout = makeCheckout(cliEnv(server, home.path));
    lines.push(...readmeLines(readFileSync(join(REPO, 'README.md'), 'utf8')));
    const top = await shell('vp-daemon --help', checkout.root, checkout.env);
    assert.equal(top.code, 0, top.stderr);
    lines.push(...helpExamples('', top.stdout));
    const commands = (top.stdout.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '').split('\n').flatMap((l) => /^ {2}([a-z]+)/.exec(l)?.[1] ?? []);
    for (const command of commands) {
      const help = await shell(`vp-daemon ${command} --help`, checkout.root, checkout.env);
      assert.equal(help.code, 0, help.stderr);
      lines.push(...helpExamples(command, help.stdout));
    }
  });
  after(async () => {
    for (const daemon of daemons) await daemon.stop().catch(() => undefined);
    await server?.close();
    (checkout as Checkout | undefined)?.remove();
    (home as typeof home | undefined)?.remove();
  });

  const run = async (line: DocLine, text = line.text): Promise<void> => {
    const result = await shell(text, checkout.root, checkout.env);
    assert.equal(result.code, 0, `${line.source}: ${text}\n${result.stdout}\n${result.stderr}`);
    ran.add(line.text);
  };
  const freshState = (): void => rmSync(join(checkout.root, '.vp-daemon'), { recursive: true, force: true });
  // A line printed in several places runs once.
  const runnable = (): DocLine[] => lines.filter((l, i) => !(l.text in MENTIONS) && !isNpm(l.text) && lines.findIndex((o) => o.text === l.text) === i);

  it('finds the lines: README blocks and inline commands, and the examples of every --help', () => {
    const texts = lines.map((l) => l.text);
    for (const expected of ['vp-daemon run examples/tasks/add-health-check.yaml', 'npx vp-daemon doctor', 'npx vp-daemon demo', 'VP_DAEMON_LOG_LEVEL=info vp-daemon serve']) {
      assert.ok(texts.some((t) => t.startsWith(expected)), `${expected} in ${texts.join('\n')}`);
    }
    assert.ok(lines.some((l) => l.source === 'vp-daemon cancel --help'));
    for (const line of lines.filter((l) => isNpm(l.text) && !(l.text in MENTIONS))) {
      assert.ok(listed(line.text), `decide about ${line.text} (${line.source}): run it here, or list it in NOT_RUN with the reason`);
    }
    assert.ok(runnable().length >= 20, `${runnable().length} lines`);
  });

  it('runs the lines that need no daemon (run, doctor, demo)', async () => {
    for (const line of runnable().filter((l) => !subcommands(l.text).some((c) => c === 'serve' || CLIENT.includes(c)))) {
      if (subcommands(line.text).includes('doctor')) {
        // Exits 1 when a needed check fails (as its help says), e.g. on a machine without bubblewrap.
        const result = await shell(line.text, checkout.root, checkout.env);
        assert.equal(result.code, /^FAIL/m.test(result.stdout) ? 1 : 0, `${line.text}\n${result.stdout}${result.stderr}`);
        ran.add(line.text);
      } else {
        await run(line);
      }
    }
  });

  it('runs each serve line until it serves, and stops it with SIGTERM: exit 0', async () => {
    for (const line of runnable().filter((l) => subcommands(l.text).includes('serve'))) {
      freshState();
      const started = startShell(line.text, checkout.root, checkout.env);
      try {
        await waitFor(() => /serving on http/.test(started.output()), 30_000, `${line.text} to serve`);
        const status = await shell('vp-daemon status', checkout.root, checkout.env);
        assert.equal(status.code, 0, status.stderr);
        started.child.kill('SIGTERM');
        const result = await started.result;
        assert.equal(result.code, 0, `${line.text}\n${started.output()}`);
        assert.match(result.stdout, /vp-daemon: stopped/);
        ran.add(line.text);
      } finally {
        stopGroup(started.child, 'SIGKILL');
      }
    }
  });

  it('runs each line that talks to a daemon against a serve on the same state folder', async () => {
    for (const line of runnable().filter((l) => !subcommands(l.text).includes('serve') && subcommands(l.text).some((c) => CLIENT.includes(c)))) {
      freshState();
      const daemon = await startDaemon(checkout);
      daemons.push(daemon);
      const text = await prepare(daemon, line.text);
      await run(line, text);
      assert.equal(await daemon.stop(), 0, `the daemon behind ${line.text} stopped cleanly:\n${daemon.output()}`);
      daemons.pop();
    }
  });

  it('ran every line it found', () => {
    assert.deepEqual(runnable().filter((l) => !ran.has(l.text)), []);
  });
});
