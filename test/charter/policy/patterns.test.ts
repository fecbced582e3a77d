import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePatternSet } from '../../../src/charter/policy/pattern-set.js';
import { MAX_PROGRAM_SIZE, patternProblem } from '../../../src/charter/policy/patterns.js';

const setOf = (...patterns: RegExp[]) => {
  const { set, problems } = compilePatternSet(patterns);
  assert.deepEqual(problems, []);
  return set;
};

void describe('patternProblem', () => {
  const refused: [RegExp | { source: string; flags: string }, RegExp][] = [
    [/(a)\1/, /backreference/],
    [/(?<x>a)\k<x>/, /backreference/],
    [/(?=a)/, /lookaround/],
    [/(?!a)/, /lookaround/],
    [/(?<=a)b/, /lookaround/],
    [/(?<!a)b/, /lookaround/],
    [{ source: 'a', flags: 'v' }, /flag 'v'/],
    [/a{1001}/, /linear time/],
    [{ source: '(?:abc|def|ghi){400}', flags: '' }, /too complex/],
  ];
  for (const [pattern, message] of refused) {
    void it(`refuses ${String(pattern instanceof RegExp ? pattern : pattern.source)}`, () => assert.match(patternProblem(pattern) ?? '', message));
  }

  const accepted = [/deploy.*production/i, /\\1/, /[(?=]/, /(?:x)/, /[\b]x/, /\cJ/, /\u{1F600}/u, /[^]/, /x/gimsuy, /(?<name>a)+/];
  for (const pattern of accepted) {
    void it(`accepts ${String(pattern)}`, () => assert.equal(patternProblem(pattern), undefined));
  }

  void it('bounds the program size', () => assert.ok(MAX_PROGRAM_SIZE >= 1000));
});

void describe('compilePatternSet: JavaScript meaning', () => {
  const cases: [RegExp, string, boolean][] = [
    [/deploy.*production/i, 'Deploy to PRODUCTION', true],
    [/deploy.*production/, 'Deploy to PRODUCTION', false],
    [/deploy.*production/i, 'deploy\nproduction', false],
    [/deploy.*production/is, 'deploy\nproduction', true],
    [/^rm/, 'echo\nrm x', false],
    [/^rm/m, 'echo\nrm x', true],
    [/\.env$/, 'cat .env', true],
    [/\.env$/, 'cat .env.example', false],
    [/a\sb/, 'a\u00a0b', true],
    [/a\sb/, 'a\u2003b', true],
    [/a[\s]b/, 'a\ufeffb', true],
    [/a[^\s]b/, 'a\u00a0b', false],
    [/[\b]x/, '\bx', true],
    [/[\b]x/, 'bx', false],
    [/\bkey\b/, 'a key here', true],
    [/\bkey\b/, 'monkeys', false],
    [/production/g, 'production', true],
    [/secret/y, 'my secret', true],
  ];
  for (const [pattern, text, expected] of cases) {
    void it(`${String(pattern)} on ${JSON.stringify(text)} -> ${expected}`, () => assert.equal(setOf(pattern).test(text), expected));
  }

  void it('reports the first pattern in charter order and what it matched', () => {
    const set = setOf(/deploy.*production/i, /\.env$/, /token/);
    assert.deepEqual(set.firstMatch('cat .env; deploy production'), { rule: '/deploy.*production/i', match: 'deploy production' });
    assert.deepEqual(set.firstMatch('cat .env'), { rule: '/\\.env$/', match: '.env' });
    assert.equal(set.firstMatch('nothing here'), undefined);
  });

  void it('quotes the match of a large text when a window finds it, and says nothing when it cannot', () => {
    const set = setOf(/deploy.*production/i);
    assert.deepEqual(set.firstMatch(`${'x'.repeat(100_000)} deploy production ${'y'.repeat(100)}`)?.match, 'deploy production');
    const spread = `deploy ${'x'.repeat(1_000_000)} production`;
    assert.deepEqual(set.firstMatch(spread), { rule: '/deploy.*production/i', match: undefined });
  });

  void it('splits patterns into anchored and unanchored sets, with a loosened test of the anchored ones', () => {
    const set = setOf(/deploy.*production/i, /\.env$/, /^rm\b/);
    assert.equal(set.unanchored?.test('deploy production'), true);
    assert.equal(set.unanchored?.test('cat .env'), false);
    assert.equal(set.anchored?.test('cat .env'), true);
    assert.equal(set.anchored?.test('cat .env; ls'), false);
    assert.equal(set.anchored?.mayMatch('cat .env; ls'), true);
    assert.equal(set.anchored?.mayMatch('echo rmx'), true);
    assert.equal(set.anchored?.mayMatch('echo hello'), false);
    assert.equal(setOf(/x/).anchored, undefined);
    assert.ok(set.cost > 0);
  });

  void it('reports what it cannot compile instead of throwing', () => {
    const { set, problems } = compilePatternSet([/ok/, { source: '(?=x)', flags: '' }]);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.rule, '/(?=x)/');
    assert.equal(set.patterns.length, 1);
  });

  void it('matches in time linear in the input: a pattern that backtracks exponentially in JavaScript', () => {
    // (a+)+b on "aaaa..." takes exponential time in a backtracking engine; RE2 answers at once.
    assert.equal(setOf(/(a+)+b/).test('a'.repeat(50_000)), false);
    assert.equal(setOf(/^(a+)+$/).test(`${'a'.repeat(50_000)}!`), false);
    assert.equal(setOf(/^(a+)+$/).test('a'.repeat(50_000)), true);
  });
});
