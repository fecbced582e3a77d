import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseShell, splitCommands } from '../../../src/charter/policy/index.js';

const argvs = (src: string): string[][] => splitCommands(src);

describe('splitCommands', () => {
  it('removes quotes and escapes', () => {
    assert.deepEqual(argvs(`'r''m' "-rf" r\\m a\\ b "x\\"y" 'a\\b'`), [['rm', '-rf', 'rm', 'a b', 'x"y', 'a\\b']]);
  });

  it('splits on ; && || | & and newlines', () => {
    assert.deepEqual(argvs('a 1; b && c || d | e & f\ng |& h'), [['a', '1'], ['b'], ['c'], ['d'], ['e'], ['f'], ['g'], ['h']]);
  });

  it('descends into subshells, groups and substitutions', () => {
    const src = '(a; b) && { c; } ; echo $(d "$(e)") `f` <(g) >(h)';
    const names = argvs(src).map((argv) => argv[0]);
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'echo']) assert.ok(names.includes(name), name);
  });

  it('finds substitutions inside double quotes and ${...}, but not inside single quotes', () => {
    assert.deepEqual(argvs(`echo "$(rm x)"`)[0], ['rm', 'x']);
    assert.deepEqual(argvs('echo ${v:-$(rm y)}')[0], ['rm', 'y']);
    assert.deepEqual(argvs(`echo '$(rm z)'`), [['echo', '$(rm z)']]);
  });

  it('drops redirections and leading assignments', () => {
    assert.deepEqual(argvs('FOO=1 BAR="a b" cmd x 2>&1 >out <in >>log &>all 3<&0 y'), [['cmd', 'x', 'y']]);
    assert.deepEqual(argvs('cmd X=1'), [['cmd', 'X=1']]);
    assert.deepEqual(argvs('a>b'), [['a']]);
  });

  it('drops reserved words at the start of a command', () => {
    assert.deepEqual(argvs('if true; then rm a; else ! rm b; fi'), [['true'], ['rm', 'a'], ['rm', 'b']]);
    assert.deepEqual(argvs('while x; do y; done'), [['x'], ['y']]);
    assert.deepEqual(argvs(`'if' x`), [['if', 'x']]);
  });

  it('decodes $\'...\' and expands braces', () => {
    assert.deepEqual(argvs(`$'\\x72\\155' $'a\\tb'`), [['rm', 'a\tb']]);
    assert.deepEqual(argvs('r{m,} {a,b}c'), [['rm', 'r', 'ac', 'bc']]);
    assert.deepEqual(argvs('find . -exec x {} ;'), [['find', '.', '-exec', 'x', '{}']]);
    assert.deepEqual(argvs(`echo '{a,b}' "{c,d}" \\{e,f} {g\\,h}`), [['echo', '{a,b}', '{c,d}', '{e,f}', '{g,h}']]);
    assert.deepEqual(argvs('{ a; }; { b; }'), [['a'], ['b']]);
    assert.deepEqual(argvs(`'{' a`), [['{', 'a']]);
  });

  it('skips comments and joins continued lines', () => {
    assert.deepEqual(argvs('a # b; c\nd e \\\nf g\\\nh'), [['a'], ['d', 'e', 'f', 'gh']]);
    assert.deepEqual(argvs('a#b'), [['a#b']]);
  });

  it('keeps here-document bodies as stdin, not commands, and expands unquoted ones', () => {
    const parsed = parseShell('cat <<EOF > out\nrm -rf x\n$(whoami)\nEOF\necho after');
    assert.deepEqual(
      parsed.commands.map((c) => c.argv),
      [['cat'], ['whoami'], ['echo', 'after']],
    );
    assert.deepEqual(parsed.commands[0]?.stdin, ['rm -rf x\n$(whoami)']);
    assert.deepEqual(argvs("cat <<'EOF'\n$(whoami)\nEOF"), [['cat']]);
    assert.deepEqual(parseShell('bash <<< "rm x"').commands[0]?.stdin, ['rm x']);
  });

  it('records the left side of a pipe', () => {
    const [, right] = parseShell('echo hi | sh').commands;
    assert.deepEqual(right?.argv, ['sh']);
    assert.deepEqual(right?.pipedFrom?.argv, ['echo', 'hi']);
  });

  it('treats the rest of the input as one word when a quote is unbalanced', () => {
    assert.deepEqual(argvs(`echo "a; rm -rf x`), [['echo', 'a; rm -rf x']]);
    assert.deepEqual(argvs(`echo 'a; rm -rf x`), [['echo', 'a; rm -rf x']]);
    assert.deepEqual(argvs('echo $(rm x'), [['rm', 'x'], ['echo', '$(rm x']]);
  });

  it('flags overflow instead of recursing without bound', () => {
    assert.equal(parseShell('$('.repeat(5000)).overflow, true);
    assert.equal(parseShell('('.repeat(5000)).overflow, true);
    assert.equal(parseShell('echo $(a $(b))').overflow, false);
  });
});
