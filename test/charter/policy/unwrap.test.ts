import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandCommands, programName } from '../../../src/charter/policy/index.js';

const expand = (src: string): string[][] => expandCommands(src).commands;
const runs = (src: string, argv: string[]): boolean => expand(src).some((c) => c.join('\u0000') === argv.join('\u0000'));

describe('expandCommands', () => {
  it('keeps the wrapper and adds what it runs', () => {
    assert.deepEqual(expand('sudo -u root rm x'), [['sudo', '-u', 'root', 'rm', 'x'], ['rm', 'x']]);
  });

  const cases: [string, string[]][] = [
    [`bash -c 'rm -rf x'`, ['rm', '-rf', 'x']],
    [`bash -lc 'rm x'`, ['rm', 'x']],
    [`bash -o pipefail -c 'rm x'`, ['rm', 'x']],
    [`sh -c "sh -c 'rm x'"`, ['rm', 'x']],
    ['eval rm "x"', ['rm', 'x']],
    ['env -i -u HOME A=1 B=2 rm x', ['rm', 'x']],
    [`env -S 'rm x'`, ['rm', 'x']],
    ['sudo -E -u root -- rm x', ['rm', 'x']],
    ['doas -u root rm x', ['rm', 'x']],
    ['xargs -0 -n 1 -I{} rm x', ['rm', 'x']],
    ['xargs', ['echo']],
    ['echo a b | xargs rm', ['rm', 'a', 'b']],
    ['command -p rm x', ['rm', 'x']],
    ['nohup rm x', ['rm', 'x']],
    ['nice -n 5 rm x', ['rm', 'x']],
    ['nice -5 rm x', ['rm', 'x']],
    ['timeout -s KILL 5s rm x', ['rm', 'x']],
    ['timeout --signal=KILL 5 rm x', ['rm', 'x']],
    ['setsid -f rm x', ['rm', 'x']],
    ['exec -a name rm x', ['rm', 'x']],
    ['time -p rm x', ['rm', 'x']],
    ['stdbuf -oL -e 0 rm x', ['rm', 'x']],
    ['find . -name a -exec rm {} ; -print', ['rm', '{}']],
    ['find . -execdir rm {} +', ['rm', '{}']],
    [`su -c 'rm x' root`, ['rm', 'x']],
    ['watch -n 1 rm x', ['rm', 'x']],
    ['/usr/bin/sudo /bin/rm x', ['rm', 'x']],
    ["echo 'rm x' | bash", ['rm', 'x']],
    ['cat <<EOF | sh\nrm x\nEOF', ['rm', 'x']],
    ['bash -s <<EOF\nrm x\nEOF', ['rm', 'x']],
  ];
  for (const [src, argv] of cases) {
    it(`${JSON.stringify(src)} runs ${argv.join(' ')}`, () => assert.ok(runs(src, argv), JSON.stringify(expand(src))));
  }

  it('does not treat command -v, script files or non-shell here-docs as running anything', () => {
    assert.deepEqual(expand('command -v rm'), [['command', '-v', 'rm']]);
    assert.deepEqual(expand('bash script.sh'), [['bash', 'script.sh']]);
    assert.deepEqual(expand('cat <<EOF\nrm x\nEOF'), [['cat']]);
  });

  it('reduces program paths to basenames', () => {
    assert.equal(programName('/usr/bin/git'), 'git');
    assert.equal(programName('./rm'), 'rm');
    assert.equal(programName('rm'), 'rm');
    assert.equal(programName('dir/'), 'dir/');
  });

  it('flags overflow past the wrapper depth limit', () => {
    assert.equal(expandCommands(`${'eval '.repeat(30)}rm x`).overflow, true);
    assert.equal(expandCommands('eval eval eval rm x').overflow, false);
  });
});
