import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bwrapArgs, SANDBOX_RUN_DIR, type SandboxPlan } from '../../src/sandbox/bwrap-args.js';
import { isWithin, toolchainPaths } from '../../src/sandbox/layout.js';
import { tempDir } from '../helpers/fixtures.js';

const plan: SandboxPlan = {
  workDir: '/w/repo',
  rootEntries: [{ path: '/bin', symlinkTo: 'usr/bin' }, { path: '/lib', dir: true }],
  systemDirs: ['/usr', '/etc'],
  hiddenFiles: ['/etc/shadow'],
  home: '/home/u',
  readOnly: ['/home/u/.pyenv', '/opt/claude/claude'],
  writable: ['/w/repo/.vp-daemon/sessions/s1/claude-config'],
  masked: ['/w/repo/.vp-daemon'],
  runDir: '/w/repo/.vp-daemon/sessions/s1/sandbox',
  socketDir: '/tmp/vpg-1',
  env: { LD_PRELOAD: '/run/vp-daemon/exec-guard.so' },
};

/** The index of the operation `op` whose arguments are `args`, or -1. */
function indexOf(argv: string[], op: string, ...args: string[]): number {
  return argv.findIndex((a, i) => a === op && args.every((x, j) => argv[i + 1 + j] === x));
}

describe('bwrapArgs', () => {
  const argv = bwrapArgs(plan);

  it('drops every capability and gives the session its own PID namespace that dies with the supervisor', () => {
    for (const flag of ['--die-with-parent', '--unshare-pid', '--unshare-ipc']) assert.ok(argv.includes(flag), flag);
    assert.ok(indexOf(argv, '--cap-drop', 'ALL') >= 0);
    assert.equal(argv.includes('--unshare-net'), false, 'the network stays shared for now');
  });

  it('shows the system read-only and the workspace writable, as its working directory', () => {
    assert.ok(indexOf(argv, '--ro-bind', '/usr', '/usr') >= 0);
    assert.ok(indexOf(argv, '--symlink', 'usr/bin', '/bin') >= 0);
    assert.ok(indexOf(argv, '--ro-bind', '/lib', '/lib') >= 0);
    assert.ok(indexOf(argv, '--bind', '/w/repo', '/w/repo') >= 0);
    assert.ok(indexOf(argv, '--chdir', '/w/repo') >= 0);
    assert.ok(indexOf(argv, '--ro-bind', '/dev/null', '/etc/shadow') > indexOf(argv, '--ro-bind', '/etc', '/etc'));
  });

  it('covers HOME and the state folder with empty private folders, before what is shown inside them', () => {
    const home = indexOf(argv, '--tmpfs', '/home/u');
    assert.ok(home >= 0 && home < indexOf(argv, '--ro-bind', '/home/u/.pyenv', '/home/u/.pyenv'));
    const work = indexOf(argv, '--bind', '/w/repo', '/w/repo');
    const mask = indexOf(argv, '--tmpfs', '/w/repo/.vp-daemon');
    assert.ok(work < mask, 'the state folder is masked after the workspace is bound');
    assert.ok(mask < indexOf(argv, '--bind', plan.writable[0]!, plan.writable[0]!), 'the config folder is bound inside the mask');
    assert.ok(indexOf(argv, '--tmpfs', '/tmp') >= 0);
  });

  it('sets the preload inside the sandbox only', () => {
    assert.ok(indexOf(argv, '--setenv', 'LD_PRELOAD', '/run/vp-daemon/exec-guard.so') >= 0);
  });

  it('shows the guard files and socket read-only at /run/vp-daemon, last', () => {
    assert.ok(indexOf(argv, '--ro-bind', plan.runDir, SANDBOX_RUN_DIR) > indexOf(argv, '--tmpfs', '/w/repo/.vp-daemon'));
    assert.ok(indexOf(argv, '--ro-bind', '/tmp/vpg-1', `${SANDBOX_RUN_DIR}/sock`) > indexOf(argv, '--ro-bind', plan.runDir, SANDBOX_RUN_DIR));
    assert.equal(argv.filter((a) => a === plan.runDir).length, 1, 'the host folder of the guard files is never bound writable');
  });
});

describe('toolchainPaths', () => {
  it('keeps PATH folders outside the system, a HOME toolchain as its top folder, and never credentials', async () => {
    const home = tempDir('vp-tc-home-');
    const tool = tempDir('vp-tc-tool-');
    try {
      for (const d of ['.pyenv/shims', '.claude/bin', '.ssh', 'state/bin']) mkdirSync(join(home.path, d), { recursive: true });
      const path = [join(home.path, '.pyenv/shims'), join(home.path, '.claude/bin'), join(home.path, '.ssh'), '/usr/bin', '/bin', tool.path, 'relative/bin', '/nope/missing', join(home.path, 'state/bin')].join(':');
      const found = await toolchainPaths(path, home.path, [join(home.path, 'state')]);
      assert.deepEqual(found, [join(home.path, '.pyenv'), tool.path]);
    } finally {
      home.remove();
      tool.remove();
    }
  });

  it('isWithin compares whole path segments', () => {
    assert.equal(isWithin('/a/b', '/a'), true);
    assert.equal(isWithin('/a', '/a'), true);
    assert.equal(isWithin('/ab', '/a'), false);
    assert.equal(isWithin('/a/../b', '/a'), false);
  });
});
