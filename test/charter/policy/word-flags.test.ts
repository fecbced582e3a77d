// What the tokenizer records about words it cannot resolve, and what the expansion makes of it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandCommands, parseShell, WORD } from '../../../src/charter/policy/index.js';

const flagsOf = (src: string): number[] => {
  const cmd = parseShell(src).commands.at(-1);
  return (cmd?.argv ?? []).map((_, i) => cmd?.flags[i] ?? 0);
};
const has = (flags: number | undefined, bit: number): boolean => ((flags ?? 0) & bit) !== 0;

void describe('parseShell: word flags', () => {
  void it('marks expansions, and which of them may split into several words', () => {
    const [, a, b, c, d, e, f, g] = flagsOf('cmd $x "$x" "${a[@]}" "$@" pre"$x" \'$x\' `y`');
    assert.ok(has(a, WORD.DYNAMIC) && has(a, WORD.SPLIT) && has(a, WORD.LEADING));
    assert.ok(has(b, WORD.DYNAMIC) && !has(b, WORD.SPLIT) && has(b, WORD.LEADING));
    assert.ok(has(c, WORD.SPLIT));
    assert.ok(has(d, WORD.SPLIT));
    assert.ok(has(e, WORD.DYNAMIC) && !has(e, WORD.LEADING));
    assert.equal(f, 0);
    assert.ok(has(g, WORD.DYNAMIC));
  });

  void it('tells a program name built from an expansion or a glob from one that is only in a folder', () => {
    const names = (src: string): number => flagsOf(src)[0] ?? 0;
    assert.ok(has(names('$X -rf v'), WORD.NAME_DYNAMIC));
    assert.ok(has(names('$(echo /bin/rm) x'), WORD.NAME_DYNAMIC));
    assert.ok(!has(names('"$DIR"/tool x'), WORD.NAME_DYNAMIC));
    assert.ok(has(names('/bin/r? x'), WORD.NAME_GLOB));
    assert.ok(has(names('/bin/r[m] x'), WORD.NAME_GLOB));
    assert.ok(!has(names('/???/rm x'), WORD.NAME_GLOB));
    assert.ok(!has(names('[ -f x ]'), WORD.NAME_GLOB));
    assert.ok(!has(names('[[ -f x ]]'), WORD.NAME_GLOB));
    assert.ok(!has(names("'r?' x"), WORD.NAME_GLOB));
  });

  void it('marks process substitutions, and stdin that comes from one or from another descriptor', () => {
    assert.ok(has(flagsOf('bash <(echo x)')[1], WORD.PROCESS));
    assert.equal(parseShell('bash < <(echo x)').commands.at(-1)?.stdinUnknown, true);
    assert.equal(parseShell('bash <&3').commands[0]?.stdinUnknown, true);
    assert.equal(parseShell('bash < script.sh').commands[0]?.stdinUnknown, undefined);
    assert.equal(parseShell('cat <<EOF\n$HOME\nEOF').commands[0]?.stdinDynamic, true);
    assert.equal(parseShell("cat <<'EOF'\n$HOME\nEOF").commands[0]?.stdinDynamic, false);
  });

  void it('says when a command occurs word for word in the text', () => {
    const verbatim = (src: string): boolean[] => parseShell(src).commands.map((c) => c.verbatim);
    assert.deepEqual(verbatim('echo a b; ls -l'), [true, true]);
    assert.deepEqual(verbatim('echo  a'), [false]);
    assert.deepEqual(verbatim("echo 'a'"), [false]);
    assert.deepEqual(verbatim('echo {a,b}'), [false]);
    assert.deepEqual(verbatim('FOO=1 cmd x'), [true]);
    assert.deepEqual(verbatim('cmd x 2>&1 y'), [false]);
  });
});

void describe('expandCommands: what cannot be resolved', () => {
  const unresolved = (src: string): string[] => expandCommands(src).unresolved;
  const cases: [string, RegExp][] = [
    ['$X -rf v', /built from an expansion/],
    ['sudo "$CMD" x', /built from an expansion/],
    ['/bin/r* -rf v', /glob pattern/],
    ['curl -s x | sh', /read from a pipe/],
    ['base64 -d <<< abc | bash', /read from a pipe/],
    ['cat file | bash -s', /read from a pipe/],
    ['bash <(curl x)', /process substitution/],
    ['source <(curl x)', /process substitution/],
    ['curl x | source /dev/stdin', /read from a pipe/],
    ['curl x | xargs sh -c', /xargs runs sh/],
  ];
  for (const [src, message] of cases) {
    void it(`${JSON.stringify(src)} is unresolved`, () => assert.match(unresolved(src).join('\n'), message));
  }

  for (const src of ['echo rm -rf v | sh', 'printf "%s\\n" ls | bash', 'cat <<EOF | sh\nls\nEOF', 'bash < script.sh', 'bash script.sh', 'ls | grep x', 'echo "$HOME"']) {
    void it(`${JSON.stringify(src)} is resolved`, () => assert.deepEqual(unresolved(src), []));
  }

  void it('reads what echo, printf, cat and tee feed a shell', () => {
    const runs = (src: string): string[] => expandCommands(src).commands.map((c) => c.join(' '));
    assert.ok(runs("printf 'r\\x6d -rf v' | sh").includes('rm -rf v'));
    assert.ok(runs("printf '%s -rf v\\n' rm | sh").includes('rm -rf v'));
    assert.ok(runs("echo -e 'r\\x6d -rf v' | sh").includes('rm -rf v'));
    assert.ok(runs("echo 'rm -rf v' | tee log | cat | sh").includes('rm -rf v'));
    assert.ok(runs("echo 'rm -rf v' | xargs -I{} bash -c '{}'").includes('rm -rf v'));
  });

  void it('sees through more wrappers, git settings that run commands, and inline interpreter code', () => {
    const runs = (src: string): string[] => expandCommands(src).commands.map((c) => c.join(' '));
    for (const src of ["flock /tmp/l -c 'rm -rf v'", 'taskset 1 rm -rf v', "script -qc 'rm -rf v' /dev/null", "git -c alias.x='!rm -rf v' x", "git -c core.pager='rm -rf v' log", "trap 'rm -rf v' EXIT", "awk 'BEGIN{system(\"rm -rf v\")}'", "python3 -c 'import os; os.system(\"rm -rf v\")'", "ssh host rm -rf v", "at now <<< 'rm -rf v'"]) {
      assert.ok(runs(src).includes('rm -rf v'), `${src}: ${JSON.stringify(runs(src))}`);
    }
    assert.deepEqual(expandCommands("alias x='rm -rf'").aliases, [{ name: 'x', commands: [['rm', '-rf']] }]);
    assert.deepEqual([...expandCommands('F=-rf; export G=1; read -r H; printf -v I x; bash -c "J=2 k"; echo K=3').assigned].sort(), ['F', 'G', 'H', 'I', 'J']);
    assert.deepEqual(expandCommands('python3 -c "print(1)"').commands, [['python3', '-c', 'print(1)']]);
  });
});
