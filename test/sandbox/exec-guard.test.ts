// The exec guard shim with real programs: a real guard socket (openGuardChannel + SessionGuard), real bash with
// LD_PRELOAD, and a victim folder that must survive every way of running `rm -rf` while ordinary commands work.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { openGuardChannel, type GuardChannel } from '../../src/guard/channel.js';
import { SessionGuard, type ApprovalRequest } from '../../src/guard/session-guard.js';
import { execGuardNames, renderExecGuardConfig } from '../../src/sandbox/exec-guard.js';
import type { VPCharter } from '../../src/session/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXED_CONF = '/run/vp-daemon/exec-guard.conf';
const has = (program: string): boolean => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
const LOADER = '/lib64/ld-linux-x86-64.so.2';

// A private build of the shim, so the test never races another build of dist/native.
const buildDir = mkdtempSync(join(tmpdir(), 'vp-egb-'));
const shim = join(buildDir, 'exec-guard.so');
spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-native.mjs'), shim], { stdio: 'inherit' });
const skip = !existsSync(shim) ? 'no C compiler to build the shim' : existsSync(FIXED_CONF) ? `${FIXED_CONF} exists and would win` : false;

const charter: VPCharter = {
  identity: { name: 'Test VP', email: 'vp@example.com', role: 'Engineer' },
  objectives: ['test'],
  constraints: { forbiddenCommands: ['rm -rf'], forbiddenPatterns: [], requiredApprovals: ['deploy'] },
  resources: { maxTokens: 1000, maxExecutionTime: 60_000, allowedTools: ['bash'] },
};

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bash -c command` in `cwd`, in its own process group, which is killed afterwards (nothing is left behind). */
function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const hung = setTimeout(() => {
      killGroup();
      reject(new Error(`hung: ${command}\n${stderr}`));
    }, 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(hung);
      killGroup();
      resolve({ code, stdout, stderr });
    });
  });
}

describe('exec guard shim with real programs', { skip }, () => {
  let dir: string;
  let channel: GuardChannel;
  let guard: SessionGuard;
  let guarded: NodeJS.ProcessEnv;
  let plain: NodeJS.ProcessEnv;
  let answer: (request: ApprovalRequest) => void = () => {};
  const requests: ApprovalRequest[] = [];
  const blocked: string[] = [];
  let count = 0;

  /** A fresh folder with victim/keep.txt, prepared by `setup`. */
  const arena = (setup?: (at: string) => void): string => {
    const at = join(dir, `a${++count}`);
    mkdirSync(join(at, 'victim'), { recursive: true });
    writeFileSync(join(at, 'victim', 'keep.txt'), 'precious');
    setup?.(at);
    return at;
  };
  const config = (name: string, text: string): NodeJS.ProcessEnv => {
    writeFileSync(join(dir, name), text);
    return { ...guarded, VP_EXEC_GUARD_CONF: join(dir, name) };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vp-eg-'));
    guard = new SessionGuard('s-exec', charter, 60_000, {
      isOverBudget: () => false,
      approvalRequested: (request) => {
        requests.push(request);
        setImmediate(() => answer(request));
      },
      approvalSettled: () => {},
      blocked: (_call, reason) => blocked.push(reason),
    });
    channel = await openGuardChannel(dir, guard.channelHandlers());
    const conf = join(dir, 'exec-guard.conf');
    writeFileSync(conf, renderExecGuardConfig({ socketPath: channel.socketPath, token: channel.token, names: execGuardNames(charter.constraints) }));
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const key of ['NODE_TEST_CONTEXT', 'NODE_OPTIONS', 'LD_PRELOAD', 'VP_EXEC_GUARD_CONF']) delete base[key];
    plain = base;
    guarded = { ...base, LD_PRELOAD: shim, VP_EXEC_GUARD_CONF: conf };
  });

  after(async () => {
    guard.denyAll('test over');
    await channel.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(buildDir, { recursive: true, force: true });
  });

  // [name, command, setup]: each really deletes the victim without the shim (checked first), and not with it.
  const script = (body: string, name = 's.sh') => (at: string) => {
    writeFileSync(join(at, name), body);
    chmodSync(join(at, name), 0o755);
  };
  const attacks: [string, string, ((at: string) => void)?][] = [
    ['plain', 'rm -rf victim'],
    ['variable', 'X=rm; $X -rf victim'],
    ['eval', 'eval "r""m -rf victim"'],
    ['quotes', "r''m -rf victim"],
    ['array', 'a=(rm -rf victim); "${a[@]}"'],
    ['IFS', 'IFS=,; c="rm,-rf,victim"; $c'],
    ['braces', '{rm,-rf,victim}'],
    ['substitution', '$(echo rm) -rf victim'],
    ['glob', '/bin/r? -rf victim'],
    ['command builtin', 'command rm -rf victim'],
    ['exec -a', 'exec -a innocent rm -rf victim'],
    ['pipe into sh', "echo 'rm -rf victim' | sh"],
    ['base64 into bash', 'echo cm0gLXJmIHZpY3RpbQ== | base64 -d | bash'],
    ['process substitution', 'bash <(echo rm -rf victim)'],
    ['alias', "shopt -s expand_aliases\nalias x='rm -rf'\nx victim"],
    ['function', 'f() { rm -rf "$1"; }; f victim'],
    ['flock', 'flock ../flock.lock rm -rf victim'],
    ['timeout', 'timeout 30 rm -rf victim'],
    ['nice', 'nice rm -rf victim'],
    ['awk system', `awk 'BEGIN{system("rm -rf victim")}'`],
    ['git alias', "git -c alias.x='!rm -rf victim' x", (at) => void spawnSync('git', ['init', '-q'], { cwd: at })],
    ['script file', './s.sh', script('#!/bin/sh\nrm -rf victim\n')],
    ['script without #!', './s.sh', script('rm -rf victim\n')],
    ['#! line naming rm', './x victim', script('#!/bin/rm -rf\n', 'x')],
    ['symlink to rm', 'ln -s /bin/rm del && ./del -rf victim'],
    ['symlink on PATH', 'mkdir bin && ln -s /bin/rm bin/tidy && PATH="$PWD/bin:$PATH" tidy -rf victim'],
    ['#! chain', "printf '#!/bin/rm -rf\\n' > i1 && printf '#!%s/i1\\n' \"$PWD\" > i2 && chmod +x i1 i2 && ./i2 victim"],
    ['npm run', 'npm run --silent clean', (at) => writeFileSync(join(at, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', scripts: { clean: 'rm -rf victim' } }))],
    ['make', 'make -s', (at) => writeFileSync(join(at, 'Makefile'), 'all:\n\trm -rf victim\n')],
    ['xargs', 'xargs rm -rf <<< victim'],
    ['find -exec', 'find . -maxdepth 1 -name victim -exec rm -rf {} +'],
    ['env -u LD_PRELOAD', "env -u LD_PRELOAD bash -c 'rm -rf victim'"],
    ['env -u the config variable', "env -u VP_EXEC_GUARD_CONF bash -c 'rm -rf victim'"],
    ['env -i', "env -i PATH=\"$PATH\" bash -c 'rm -rf victim'"],
    ['LD_PRELOAD= override', "LD_PRELOAD= bash -c 'rm -rf victim'"],
    ['python os.system', `python3 -c "import os; os.system('rm -rf victim')"`],
    ['python without LD_PRELOAD', `python3 -c "import os; os.environ.pop('LD_PRELOAD', None); os.system('rm -rf victim')"`],
    ['python subprocess, empty env', `python3 -c "import subprocess; subprocess.run(['/bin/rm', '-rf', 'victim'], env={})"`],
    ['python os.execv', `python3 -c "import os; os.execv('/bin/rm', ['rm', '-rf', 'victim'])"`],
    ['python fexecve', `python3 -c "import os; os.execve(os.open('/bin/rm', os.O_RDONLY), ['rm', '-rf', 'victim'], {})"`],
    ['python posix_spawnp', `python3 -c "import os; os.waitpid(os.posix_spawnp('rm', ['rm', '-rf', 'victim'], {}), 0)"`],
    [
      'python ctypes syscall()',
      `python3 -c "import ctypes, os; n = {'x86_64': 59, 'aarch64': 221}[os.uname().machine]; a = (ctypes.c_char_p * 4)(b'rm', b'-rf', b'victim', None); e = (ctypes.c_char_p * 1)(None); ctypes.CDLL(None).syscall(n, b'/bin/rm', a, e)"`,
    ],
    ['perl system', `perl -e 'system("rm","-rf","victim")'`],
    ['perl exec', `perl -e 'exec "rm", "-rf", "victim"'`],
    ['node child_process', `'${process.execPath}' -e "require('child_process').execFileSync('rm', ['-rf', 'victim'], { stdio: 'inherit' })"`],
  ];
  if (has('taskset')) attacks.push(['taskset', 'taskset -c 0 rm -rf victim']);
  if (has('script')) attacks.push(['script -c', "script -qc 'rm -rf victim' /dev/null"]);
  if (existsSync(LOADER)) attacks.push(['the loader as a program', `${LOADER} /bin/rm -rf victim`]);

  for (const [name, command, setup] of attacks) {
    it(`stops ${name}: ${command.replace(/\n/g, '; ')}`, async () => {
      const control = arena(setup);
      const unguarded = await run(command, control, plain);
      assert.equal(existsSync(join(control, 'victim')), false, `without the shim the attack deletes (${unguarded.stderr})`);
      const at = arena(setup);
      const before = blocked.length;
      const ran = await run(command, at, guarded);
      assert.ok(existsSync(join(at, 'victim', 'keep.txt')), `the victim survives: ${ran.stderr}`);
      // (script runs the command on a terminal of its own, so what it writes to stderr comes out on stdout)
      assert.match(ran.stderr + ran.stdout, /vp-daemon: blocked \S+: .*"rm -rf" is a forbidden command/);
      assert.ok(blocked.length > before, 'the guard reported the block');
    });
  }

  it('keeps ordinary commands working', async () => {
    const at = arena((a) => {
      writeFileSync(join(a, 'file.txt'), 'x');
      mkdirSync(join(a, 'build', 'sub'), { recursive: true });
      writeFileSync(join(a, 'build', 'sub', 'o.o'), 'x');
      writeFileSync(join(a, '-rf'), 'a file named -rf');
      writeFileSync(join(a, 'a.tmp'), 'x');
      writeFileSync(join(a, 'b.tmp'), 'x');
    });
    const steps: [string, (r: Ran) => void][] = [
      ['rm file.txt', () => assert.equal(existsSync(join(at, 'file.txt')), false)],
      ['rm -r build', () => assert.equal(existsSync(join(at, 'build')), false)],
      ['rm -- -rf', () => assert.equal(existsSync(join(at, '-rf')), false)],
      ["find . -name '*.tmp' -exec rm {} +", () => assert.deepEqual(readdirSync(at).filter((f) => f.endsWith('.tmp')), [])],
      ['echo "rm -rf is dangerous"', (r) => assert.equal(r.stdout, 'rm -rf is dangerous\n')],
      ['/bin/echo "rm -rf is dangerous"', (r) => assert.equal(r.stdout, 'rm -rf is dangerous\n')],
      [`bash -c 'echo "rm -rf is dangerous"'`, (r) => assert.equal(r.stdout, 'rm -rf is dangerous\n')],
      ['ls victim && /bin/true', (r) => assert.equal(r.stdout, 'keep.txt\n')],
    ];
    for (const [command, check] of steps) {
      const ran = await run(command, at, guarded);
      assert.equal(ran.code, 0, `${command}: ${ran.stderr}`);
      assert.doesNotMatch(ran.stderr, /vp-daemon/);
      check(ran);
    }
    assert.ok(existsSync(join(at, 'victim', 'keep.txt')));
  });

  it('denies checked programs when the socket is unreachable, and leaves the others alone', async () => {
    const env = config('unreachable.conf', renderExecGuardConfig({ socketPath: join(dir, 'nobody.sock'), token: channel.token, names: ['rm'] }));
    const at = arena((a) => writeFileSync(join(a, 'file.txt'), 'x'));
    const ran = await run('rm -rf victim; rm file.txt; /bin/echo still-runs', at, env);
    assert.ok(existsSync(join(at, 'victim', 'keep.txt')));
    assert.ok(existsSync(join(at, 'file.txt')), 'even an ordinary rm waits for a daemon that is not there');
    assert.match(ran.stderr, /vp-daemon: blocked rm: cannot reach the vp-daemon guard socket/);
    assert.equal(ran.stdout, 'still-runs\n');
  });

  it('denies every program when the config is invalid, and a wrong token is refused', async () => {
    const bad = await run('/bin/echo hello', dir, config('bad.conf', 'socket relative/path\nname rm\n'));
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /vp-daemon: blocked \/bin\/echo: the exec guard's config is unreadable or invalid/);
    const forged = config('forged.conf', renderExecGuardConfig({ socketPath: channel.socketPath, token: 'ab'.repeat(32), names: ['rm'] }));
    const at = arena();
    const ran = await run('rm -r victim', at, forged);
    assert.ok(existsSync(join(at, 'victim')));
    assert.match(ran.stderr, /Unauthorized guard request/);
  });

  it('does nothing without a config', async () => {
    const at = arena();
    const env = { ...guarded };
    delete env['VP_EXEC_GUARD_CONF'];
    const ran = await run('rm -rf victim', at, env);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(existsSync(join(at, 'victim')), false);
  });

  describe('required approvals', () => {
    let at: string;
    const deployed = (tag: string) => existsSync(join(at, `deployed-${tag}`));
    before(() => {
      at = arena(script('#!/bin/sh\ntouch "deployed-$1"\n', 'deploy.sh'));
    });

    for (const [command, tag] of [
      ['./deploy.sh a', 'a'],
      ["./dep''loy.sh b", 'b'],
      ['sh deploy.sh c', 'c'],
      ['ln -s deploy.sh go && ./go d', 'd'],
    ] as const) {
      it(`waits for a person before ${command}, and runs it once approved`, async () => {
        const asked = requests.length;
        answer = (request) => guard.approve(request.approvalId);
        const ran = await run(command, at, guarded);
        assert.equal(ran.code, 0, ran.stderr);
        assert.equal(requests.length, asked + 1, 'one approval was asked');
        assert.equal(requests.at(-1)?.toolName, 'exec');
        assert.match(requests.at(-1)?.reason ?? '', /required approval "deploy"/);
        assert.ok(deployed(tag));
      });
    }

    it('does not run it when the person denies', async () => {
      answer = (request) => guard.deny(request.approvalId, 'not today');
      const ran = await run("./dep''loy.sh e", at, guarded);
      assert.equal(deployed('e'), false);
      assert.match(ran.stderr, /vp-daemon: blocked \.\/deploy\.sh: Approval denied: not today/);
    });

    it('does not ask twice for a tool call a person approved, until the next tool call is decided', async () => {
      answer = (request) => guard.approve(request.approvalId);
      const decision = await guard.decide({ tool_name: 'Bash', tool_input: { command: './deploy.sh f' } });
      assert.deepEqual(decision, { decision: 'allow' });
      const asked = requests.length;
      assert.equal((await run('./deploy.sh f', at, guarded)).code, 0);
      assert.equal(requests.length, asked, 'the approved tool call ran without a second question');
      assert.ok(deployed('f'));

      assert.deepEqual(await guard.decide({ tool_name: 'Bash', tool_input: { command: 'ls' } }), { decision: 'allow' });
      answer = (request) => guard.deny(request.approvalId);
      await run('./deploy.sh g', at, guarded);
      assert.equal(requests.length, asked + 1, 'after another tool call, the grant is gone');
      assert.equal(deployed('g'), false);
    });
  });
});
