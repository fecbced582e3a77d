import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bullets, code, escapeLine, inline, plain, quote } from '../../src/charter/markdown.js';

void describe('escapeLine', () => {
  const cases: [string, string][] = [
    ['# heading', '\\# heading'],
    ['###### six', '\\###### six'],
    ['  ## indented', '  \\## indented'],
    ['> quote', '\\> quote'],
    ['---', '\\---'],
    ['===', '\\==='],
    ['=', '\\='],
    ['-', '\\-'],
    ['--  ', '\\--  '],
    ['```js', '\\```js'],
    ['~~~', '\\~~~'],
    ['plain text # not a heading', 'plain text # not a heading'],
    ['- list item', '- list item'],
    ['a = b', 'a = b'],
    ['', ''],
  ];
  for (const [input, expected] of cases) {
    void it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => assert.equal(escapeLine(input), expected));
  }
});

void describe('inline', () => {
  void it('folds every kind of line break into one space and trims', () => {
    assert.equal(inline('  a\nb\r\nc\rd \n\n  e  '), 'a b c d e');
  });
  void it('escapes what would start a block after folding', () => {
    assert.equal(inline('\n## Constraints\n- none'), '\\## Constraints - none');
    assert.equal(inline('---'), '\\---');
  });
  void it('turns non-strings into text', () => {
    assert.equal(inline(42), '42');
    assert.equal(inline(null), 'null');
  });
});

void describe('quote', () => {
  void it('prefixes every line, keeps blank lines in the quote and escapes each line', () => {
    assert.equal(quote('one\n\n# two\r\n```\nthree'), '> one\n>\n> \\# two\n> \\```\n> three');
  });
  void it('treats a lone CR as a line break', () => {
    assert.equal(quote('a\r# b'), '> a\n> \\# b');
  });
});

void describe('code', () => {
  const cases: [string, string][] = [
    ['rm -rf', '`rm -rf`'],
    ['echo `id`', '`` echo `id` ``'],
    ['a ``` b', '````a ``` b````'],
    ['`', '`` ` ``'],
    ['x``y', '```x``y```'],
    ['line1\nline2\r\nline3', '`line1 line2 line3`'],
  ];
  for (const [input, expected] of cases) {
    void it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => assert.equal(code(input), expected));
  }
});

void describe('bullets', () => {
  void it('makes one bullet per item', () => assert.equal(bullets(['a', 'b']), '- a\n- b'));
  void it('uses the placeholder when empty', () => {
    assert.equal(bullets([]), '- (none)');
    assert.equal(bullets([], 'nothing'), 'nothing');
  });
});

void describe('plain', () => {
  void it('keeps strings and writes other values as JSON', () => {
    assert.equal(plain('text'), 'text');
    assert.equal(plain({ a: [1, 'x'] }), '{"a":[1,"x"]}');
    assert.equal(plain(true), 'true');
    assert.equal(plain(undefined), 'undefined');
  });
  void it('keeps JSON string escapes, so a value with newlines stays on one line', () => {
    assert.equal(plain({ text: 'a\n# b' }), '{"text":"a\\n# b"}');
  });
  void it('does not throw on values JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    assert.equal(plain(10n), '10');
    assert.equal(plain(cyclic), '[object Object]');
  });
});
