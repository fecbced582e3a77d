import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkToolCall, expandCommands, splitCommands, type PolicyRules } from '../../../src/charter/policy/index.js';

const rules: PolicyRules = { forbiddenCommands: ['rm -rf', 'git push --force'], forbiddenPatterns: [/deploy.*production/i] };

/** Strings built from the characters shell cares about, to reach the tokenizer's corners. */
const shellish = fc.string({
  unit: fc.constantFrom(...'ab rm-f;&|()<>{},$`\'"\\\n\t#=!*?~[]0123456789'.split(''), '$(', '${', "$'", '<<', 'EOF', '\\\n'),
  maxLength: 80,
});

const singleQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const doubleQuote = (s: string): string => `"${s.replace(/["\\$`]/g, '\\$&')}"`;

const WRAPPERS: Record<string, (inner: string) => string> = {
  sudo: (s) => `sudo ${s}`,
  env: (s) => `env ${s}`,
  nohup: (s) => `nohup ${s}`,
  command: (s) => `command ${s}`,
  'bash -c single': (s) => `bash -c ${singleQuote(s)}`,
  'bash -c double': (s) => `bash -c ${doubleQuote(s)}`,
  eval: (s) => `eval ${singleQuote(s)}`,
};

describe('policy properties', () => {
  it('the tokenizer never throws, whatever the input', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      splitCommands(s);
      return true;
    }), { numRuns: 2000 });
    fc.assert(fc.property(shellish, (s) => {
      splitCommands(s);
      expandCommands(s);
      return true;
    }), { numRuns: 3000 });
  });

  it('checkToolCall never throws and always returns a verdict', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), shellish), (s) => {
      const verdict = checkToolCall('Bash', { command: s }, rules);
      return verdict.allowed || (verdict.rule.length > 0 && verdict.reason.startsWith('Blocked by the session charter: '));
    }), { numRuns: 3000 });
  });

  it('rm -rf x stays blocked under any stack of wrappers', () => {
    const names = Object.keys(WRAPPERS);
    fc.assert(fc.property(fc.array(fc.constantFrom(...names), { maxLength: 8 }), (stack) => {
      const command = stack.reduce((inner, name) => (WRAPPERS[name] ?? ((s: string) => s))(inner), 'rm -rf x');
      const verdict = checkToolCall('Bash', { command }, rules);
      return !verdict.allowed && verdict.rule === 'rm -rf';
    }), { numRuns: 500 });
  });

  it('rm -rf x stays blocked after any harmless prefix and separator', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcxyz019_./'.split('')), minLength: 1, maxLength: 8 });
    const separator = fc.constantFrom('; ', ' && ', ' || ', ' | ', ' & ', '\n', ' ; ');
    fc.assert(fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), separator, (words, sep) => {
      const verdict = checkToolCall('Bash', { command: `${words.join(' ')}${sep}rm -rf x` }, rules);
      return !verdict.allowed;
    }), { numRuns: 500 });
  });

  it('splitting agrees with quoting: a single-quoted word comes back unchanged', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), shellish), (s) => {
      assert.deepEqual(splitCommands(`echo ${singleQuote(s)}`), [['echo', s]]);
      assert.deepEqual(splitCommands(`echo ${doubleQuote(s)}`), [['echo', s]]);
    }), { numRuns: 1000 });
  });
});
