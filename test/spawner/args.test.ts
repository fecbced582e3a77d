import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildClaudeArgs, type ClaudeArgsInput } from '../../src/spawner/args.js';
import { normalizeSpawnerOptions } from '../../src/spawner/options.js';
import { silentLogger } from '../helpers/fixtures.js';

const ID = '123e4567-e89b-42d3-a456-426614174000';
const base: ClaudeArgsInput = {
  claudeSessionId: ID,
  resume: false,
  charterFile: '/state/sessions/s-1/CLAUDE.md',
  permissionMode: 'acceptEdits',
  allowedTools: ['Read', 'Bash'],
};

/** The value after a flag, asserting the flag appears exactly once. */
function valueAfter(args: string[], flag: string): string | undefined {
  assert.equal(args.filter((a) => a === flag).length, 1, `${flag} once in ${JSON.stringify(args)}`);
  return args[args.indexOf(flag) + 1];
}

void describe('buildClaudeArgs', () => {
  void it('runs headless with stream-json in and out', () => {
    const args = buildClaudeArgs(base);
    assert.equal(args[0], '-p');
    assert.equal(valueAfter(args, '--input-format'), 'stream-json');
    assert.equal(valueAfter(args, '--output-format'), 'stream-json');
    assert.ok(args.includes('--verbose'));
  });

  void it('asks for partial messages: the live budget counts output tokens from their message_delta', () => {
    assert.ok(buildClaudeArgs(base).includes('--include-partial-messages'));
  });

  void it('passes a cost cap as --max-budget-usd=<usd> only when set', () => {
    assert.ok(buildClaudeArgs({ ...base, maxBudgetUsd: 0.25 }).includes('--max-budget-usd=0.25'));
    assert.ok(!buildClaudeArgs(base).some((a) => a.startsWith('--max-budget-usd')));
  });

  void it('starts a new conversation with --session-id', () => {
    const args = buildClaudeArgs(base);
    assert.equal(valueAfter(args, '--session-id'), ID);
    assert.ok(!args.includes('--resume'));
  });

  void it('continues one with --resume', () => {
    const args = buildClaudeArgs({ ...base, resume: true });
    assert.equal(valueAfter(args, '--resume'), ID);
    assert.ok(!args.includes('--session-id'));
  });

  void it('passes the charter file and permission mode', () => {
    const args = buildClaudeArgs({ ...base, charterFile: '/dir with space/CLAUDE.md', permissionMode: 'bypassPermissions' });
    assert.equal(valueAfter(args, '--append-system-prompt-file'), '/dir with space/CLAUDE.md');
    assert.equal(valueAfter(args, '--permission-mode'), 'bypassPermissions');
  });

  void it('passes allowed tools, model and max turns as single --flag=value elements', () => {
    const args = buildClaudeArgs({ ...base, model: 'sonnet', maxTurns: 3 });
    assert.ok(args.includes('--allowedTools=Read,Bash'));
    assert.ok(args.includes('--model=sonnet'));
    assert.ok(args.includes('--max-turns=3'));
    for (const flag of ['--allowedTools', '--model', '--max-turns']) assert.ok(!args.includes(flag), `no separate ${flag}`);
    assert.ok(!args.includes('Read') && !args.includes('Bash') && !args.includes('sonnet') && !args.includes('3'));
  });

  void it('leaves out what is not set', () => {
    const args = buildClaudeArgs({ ...base, allowedTools: [] });
    assert.ok(!args.some((a) => a.startsWith('--allowedTools') || a.startsWith('--model') || a.startsWith('--max-turns')));
  });

  void it('is exactly the flags and their values: no prompt argument', () => {
    assert.deepEqual(buildClaudeArgs({ ...base, model: 'opus', maxTurns: 12, maxBudgetUsd: 2 }), [
      '-p',
      '--input-format', 'stream-json',
      '--output-format', 'stream-json',
      '--verbose',
      '--include-partial-messages',
      '--session-id', ID,
      '--append-system-prompt-file', '/state/sessions/s-1/CLAUDE.md',
      '--permission-mode', 'acceptEdits',
      '--setting-sources=',
      '--allowedTools=Read,Bash',
      '--model=opus',
      '--max-turns=12',
      '--max-budget-usd=2',
    ]);
  });

  void it("passes the permission mode for every mode, the spawner's default dontAsk included", () => {
    const fallback = normalizeSpawnerOptions({ logger: silentLogger }).permissionMode;
    assert.equal(fallback, 'dontAsk');
    // The modes the spawner accepts, each valid on 2.1.197 and 2.1.328 alike ('manual' is not: 2.1.197 refuses it).
    for (const mode of [fallback, 'default', 'acceptEdits', 'plan']) {
      const args = buildClaudeArgs({ ...base, permissionMode: mode });
      assert.equal(valueAfter(args, '--permission-mode'), mode);
    }
  });

  void it('appends extra arguments last, as given', () => {
    const args = buildClaudeArgs({ ...base, extraArgs: ['--debug', 'api'] });
    assert.deepEqual(args.slice(-2), ['--debug', 'api']);
    assert.equal(args.length, buildClaudeArgs(base).length + 2);
  });

  void it('does not change its input', () => {
    const input: ClaudeArgsInput = { ...base, allowedTools: ['Read'], extraArgs: ['--x'] };
    const before = structuredClone(input);
    buildClaudeArgs(input);
    assert.deepEqual(input, before);
  });
});
