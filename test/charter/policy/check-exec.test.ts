import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkExec, type ExecRules } from '../../../src/charter/policy/index.js';

const rules: ExecRules = {
  forbiddenCommands: ['rm -rf', 'git push --force', 'curl'],
  requiredApprovals: ['deploy', 'npm publish'],
};

// [what the shim reports: path, argv] → the rule that must fire
const BLOCKED: [path: string, argv: string[], rule: string][] = [
  ['/usr/bin/rm', ['rm', '-rf', 'victim'], 'rm -rf'],
  ['/usr/bin/rm', ['rm', '-r', '-f', 'victim'], 'rm -rf'],
  ['/usr/bin/rm', ['rm', '--recursive', '--force', 'victim'], 'rm -rf'],
  ['/usr/bin/rm', ['rm', 'victim', '-fR'], 'rm -rf'],
  // argv[0] lies (exec -a), or the path is a copy named otherwise but argv[0] tells
  ['/usr/bin/rm', ['innocent', '-rf', 'victim'], 'rm -rf'],
  ['/tmp/x/rm', ['./rm', '-rf', 'victim'], 'rm -rf'],
  ['/work/bin/tool', ['rm', '-rf', 'victim'], 'rm -rf'],
  // a #! chain as the kernel runs it: `#!/bin/rm -rf` in ./x, run as ./x victim
  ['/usr/bin/rm', ['/bin/rm', '-rf', './x', 'victim'], 'rm -rf'],
  // the loader run as a program loads its operand in-process
  ['/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', ['/lib64/ld-linux-x86-64.so.2', '/bin/rm', '-rf', 'victim'], 'rm -rf'],
  ['/lib64/ld-linux-x86-64.so.2', ['ld-linux-x86-64.so.2', '--library-path', '/x', '--argv0', 'ls', '/usr/bin/rm', '-rf', 'v'], 'rm -rf'],
  ['/usr/bin/busybox', ['busybox', 'rm', '-rf', 'victim'], 'rm -rf'],
  ['/usr/bin/git', ['git', 'push', '--force', 'origin', 'main'], 'git push --force'],
  ['/usr/bin/git', ['git', 'push', 'origin', '+main'], 'git push --force'],
  ['/usr/bin/curl', ['curl', 'https://example.com'], 'curl'],
];

// Ordinary commands as they reach exec: allowed, and asking nobody.
const ALLOWED: [path: string, argv: string[]][] = [
  ['/usr/bin/rm', ['rm', 'file.txt']],
  ['/usr/bin/rm', ['rm', '-r', 'build']],
  ['/usr/bin/rm', ['rm', '-f', 'file.txt']],
  ['/usr/bin/rm', ['rm', '--', '-rf']],
  // find -exec rm {} + execs rm with the files it found
  ['/usr/bin/rm', ['rm', './a.tmp', './b.tmp']],
  ['/usr/bin/find', ['find', '.', '-name', '*.tmp', '-exec', 'rm', '{}', '+']],
  ['/usr/bin/echo', ['echo', 'rm -rf is dangerous']],
  // a shell's -c string is not a program: what it runs is checked when it runs
  ['/usr/bin/bash', ['bash', '-c', 'echo "rm -rf is dangerous"']],
  ['/usr/bin/bash', ['bash', '-c', 'rm -rf victim']],
  ['/usr/bin/env', ['env', '-u', 'LD_PRELOAD', 'bash', '-c', 'rm -rf victim']],
  ['/usr/bin/git', ['git', 'push', 'origin', 'main']],
  ['/usr/bin/git', ['git', 'status']],
  ['/usr/bin/npm', ['npm', 'install']],
  ['/usr/bin/python3.11', ['python3', '-c', 'import os; os.system("deploy")']],
  ['/usr/bin/bash', ['bash', '-c', './deploy.sh']],
  ['/work/redeploy.sh', ['./redeploy.sh']],
  ['/work/deployment-notes', ['cat']],
  ['/usr/bin/cat', ['cat', 'deploy.sh']],
];

// [path, argv] → the approval term asked for
const APPROVAL: [path: string, argv: string[], term: string][] = [
  ['/work/deploy.sh', ['./deploy.sh', 'prod'], 'deploy'],
  ['/work/deploy', ['deploy'], 'deploy'],
  ['/work/Deploy.SH', ['./Deploy.SH'], 'deploy'],
  ['/work/deploy.prod.sh', ['./deploy.prod.sh'], 'deploy'],
  // a #! script as the kernel runs it: the interpreter with the script as operand
  ['/usr/bin/dash', ['/bin/sh', './deploy.sh', 'prod'], 'deploy'],
  ['/usr/bin/bash', ['bash', '-e', '-o', 'pipefail', 'deploy.sh'], 'deploy'],
  ['/usr/bin/bash', ['bash', '--', 'deploy.sh'], 'deploy'],
  ['/usr/bin/python3.11', ['python3', '-W', 'ignore', 'deploy.py'], 'deploy'],
  ['/usr/bin/python3.11', ['python3', '-m', 'deploy'], 'deploy'],
  ['/usr/bin/node', ['node', '--require', 'x.js', 'scripts/deploy.mjs'], 'deploy'],
  ['/usr/bin/perl', ['perl', '-Ilib', 'deploy.pl'], 'deploy'],
  // the script is named through a symlink: the shim reports the resolved path
  ['/work/deploy.sh', ['./go'], 'deploy'],
  ['/usr/bin/npm', ['npm', 'publish', '--dry-run'], 'npm publish'],
  ['/usr/lib/node_modules/npm/bin/npm-cli.js', ['npm', '--loglevel', 'info', 'publish'], 'npm publish'],
];

describe('checkExec', () => {
  for (const [path, argv, rule] of BLOCKED) {
    it(`blocks ${argv.join(' ')} (${path}) by "${rule}"`, () => {
      const verdict = checkExec(path, argv, rules);
      assert.ok('allowed' in verdict && !verdict.allowed, JSON.stringify(verdict));
      assert.equal(verdict.rule, rule);
      assert.match(verdict.reason, /forbidden command/);
    });
  }

  for (const [path, argv] of ALLOWED) {
    it(`allows ${argv.join(' ')} (${path})`, () => {
      assert.deepEqual(checkExec(path, argv, rules), { allowed: true });
    });
  }

  for (const [path, argv, term] of APPROVAL) {
    it(`asks approval "${term}" for ${argv.join(' ')} (${path})`, () => {
      assert.deepEqual(checkExec(path, argv, rules), { approval: term });
    });
  }

  it('checks forbidden commands before approvals', () => {
    const verdict = checkExec('/usr/bin/rm', ['rm', '-rf', 'x'], { forbiddenCommands: ['rm -rf'], requiredApprovals: ['rm'] });
    assert.ok('allowed' in verdict && !verdict.allowed);
  });

  it('allows everything when the charter names nothing', () => {
    assert.deepEqual(checkExec('/usr/bin/rm', ['rm', '-rf', '/'], { forbiddenCommands: [], requiredApprovals: [] }), { allowed: true });
  });

  it('copes with an empty argv and empty rules', () => {
    assert.deepEqual(checkExec('/usr/bin/rm', [], rules), { allowed: true });
    assert.deepEqual(checkExec('', [], rules), { allowed: true });
    assert.deepEqual(checkExec('/work/deploy.sh', [], rules), { approval: 'deploy' });
    assert.deepEqual(checkExec('/usr/bin/rm', ['rm', '-rf'], { forbiddenCommands: ['', '  '], requiredApprovals: ['', ' '] }), { allowed: true });
  });

  it('does not loop on a loader or busybox that runs itself', () => {
    const argv = ['busybox', ...Array.from({ length: 50 }, () => 'busybox'), 'rm', '-rf', 'x'];
    assert.doesNotThrow(() => checkExec('/bin/busybox', argv, rules));
  });
});
