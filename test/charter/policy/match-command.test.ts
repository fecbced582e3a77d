import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileForbiddenCommand, type CommandMatcher } from '../../../src/charter/policy/index.js';

function compile(rule: string): CommandMatcher {
  const matcher = compileForbiddenCommand(rule);
  assert.ok(matcher, rule);
  return matcher;
}

describe('compileForbiddenCommand', () => {
  it('splits a rule into program, canonical flags and positional words', () => {
    const rm = compile('rm -rf');
    assert.equal(rm.program, 'rm');
    assert.deepEqual(rm.flags.sort(), ['force', 'recursive']);
    assert.deepEqual(rm.words, []);
    const push = compile('/usr/bin/git push --force');
    assert.equal(push.program, 'git');
    assert.deepEqual(push.flags, ['force']);
    assert.deepEqual(push.words, ['push']);
  });

  it('returns undefined for a rule without words', () => {
    assert.equal(compileForbiddenCommand('   '), undefined);
    assert.equal(compileForbiddenCommand(''), undefined);
  });

  const table: [rule: string, argv: string, expected: boolean][] = [
    ['rm -rf', 'rm -rf x', true],
    ['rm -rf', 'rm -fR x', true],
    ['rm -rf', 'rm --recursive -f x', true],
    ['rm -rf', 'rm --recur --forc x', true],
    ['rm -rf', 'rm x -r y -f', true],
    ['rm -rf', 'rm -f x', false],
    ['rm -rf', 'rm -r x', false],
    ['rm -rf', 'rm -- -rf', false],
    ['rm -rf', 'ls -rf', false],
    ['rm -rf', '/bin/rm -rf x', true],
    ['rm --recursive --force', 'rm -rf x', true],
    ['git push --force', 'git push -f', true],
    ['git push --force', 'git -C dir push origin main --force', true],
    ['git push --force', 'git push --force-with-lease=main', true],
    ['git push --force', 'git push origin +main', true],
    ['git push --force', 'git push origin main', false],
    ['git push --force', 'git push --no-force', false],
    ['git push --force', 'git commit -m push --amend', false],
    ['git branch -D', 'git branch --delete --force topic', true],
    ['git branch -D', 'git branch -d topic', false],
    ['curl', 'curl', true],
    ['curl', 'curl -s https://x', true],
    ['curl', 'curlie x', false],
    ['npm publish', 'npm publish --dry-run', true],
    ['npm publish', 'npm install', false],
    ['rm -rf /', 'rm -rf /', true],
    ['rm -rf /', 'rm -rf /tmp', false],
    ["'rm' -rf", 'rm -rf x', true],
  ];
  for (const [rule, argv, expected] of table) {
    it(`${JSON.stringify(rule)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(argv)}`, () => {
      assert.equal(compile(rule).matches(argv.split(' ')), expected);
    });
  }
});
