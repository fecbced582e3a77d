// Every `--help` of the `vp-daemon` command prints its text ending in exactly one newline.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { vp } from '../helpers/cli.js';

const env = { ...process.env, VP_DAEMON_LOG_LEVEL: 'warn' };

/** The commands the top-level help lists (its `Commands:` section). */
function listedCommands(help: string): string[] {
  const section = help.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
  return section.split('\n').flatMap((line) => /^ {2}([a-z]+)\b/.exec(line)?.[1] ?? []);
}

void describe('vp-daemon --help', () => {
  void it('ends every help text with one newline, the top-level one and each command\'s', async () => {
    const top = await vp(['--help'], env);
    assert.equal(top.code, 0);
    const commands = listedCommands(top.stdout);
    assert.ok(commands.length >= 12, `commands: ${commands.join(', ')}`);
    const outputs = await Promise.all([['help'], ...commands.map((c) => [c, '--help']), ['run', '-h']].map(async (args) => ({ args, ...(await vp(args, env)) })));
    for (const { args, code, stdout } of [{ args: ['--help'], ...top }, ...outputs]) {
      const what = `vp-daemon ${args.join(' ')}`;
      assert.equal(code, 0, what);
      assert.ok(stdout.length > 40, what);
      assert.ok(stdout.endsWith('\n') && !stdout.endsWith('\n\n'), `${what} ends ${JSON.stringify(stdout.slice(-20))}`);
      assert.match(stdout, /Examples?:\n {2}\S/, what);
    }
  });

  void it('ends a usage error with one newline too, though it quotes the help', async () => {
    const { code, stderr } = await vp(['run'], env);
    assert.equal(code, 2);
    assert.match(stderr, /^vp-daemon: run needs a task file\n\nvp-daemon run <task\.yaml>/);
    assert.ok(stderr.endsWith('\n') && !stderr.endsWith('\n\n'), JSON.stringify(stderr.slice(-20)));
  });
});
