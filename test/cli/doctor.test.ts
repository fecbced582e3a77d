// `vp-daemon doctor`: what the machine offers for sandboxed sessions, as a user runs it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TESTED_CLAUDE_VERSIONS } from '../../src/spawner/resolve-claude.js';
import { vp } from '../helpers/cli.js';

interface Report {
  ok: boolean;
  checks: { name: string; ok: boolean; needed: boolean; detail: string }[];
}

describe('vp-daemon doctor', () => {
  it('reports bubblewrap, user namespaces, the exec guard, the CLI version and whether it is tested, git', async () => {
    const { code, stdout } = await vp(['doctor', '--json'], { ...process.env });
    const report = JSON.parse(stdout) as Report;
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    assert.deepEqual([...byName.keys()], ['sandbox', 'user namespaces', 'Claude CLI', 'git', 'C compiler']);
    assert.equal(code, report.ok ? 0 : 1);
    assert.match(byName.get('sandbox')?.detail ?? '', /bubblewrap \d+\.\d+/);
    const cli = byName.get('Claude CLI')?.detail ?? '';
    const version = /^(\d+\.\d+\.\d+)/.exec(cli)?.[1];
    assert.ok(version, cli);
    assert.match(cli, TESTED_CLAUDE_VERSIONS.includes(version) ? /\(tested\)/ : /not tested/);
    assert.match(byName.get('git')?.detail ?? '', /git version/);
  });

  it('fails, naming the package to install, where bubblewrap is missing', async () => {
    const { code, stdout } = await vp(['doctor'], { ...process.env, PATH: '/nonexistent' });
    assert.equal(code, 1);
    assert.match(stdout, /^FAIL\s+sandbox\s+.*bubblewrap/m);
    assert.match(stdout, /^warn\s+git\s+/m, 'git is reported, but not needed');
  });
});
