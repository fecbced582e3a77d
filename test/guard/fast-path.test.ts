import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fastCall, fastExec } from '../../src/guard/fast-path.js';
import { SessionGuard } from '../../src/guard/session-guard.js';
import { makeConfig } from '../helpers/fixtures.js';

void describe('the guard thread fast path', () => {
  const charter = makeConfig('/tmp/work').charter;
  charter.constraints.forbiddenCommands = ['rm -rf', 'git push --force'];
  charter.constraints.forbiddenPatterns = [/deploy.*production/i];
  charter.constraints.requiredApprovals = ['deploy'];
  charter.resources.allowedTools = ['read', 'write', 'bash'];
  const guard = new SessionGuard('s-fast', charter, 60_000, {
    isOverBudget: () => false,
    approvalRequested: (request) => setImmediate(() => guard.deny(request.approvalId)),
    approvalSettled: () => undefined,
    blocked: () => undefined,
  });
  const { fast } = guard.channelHandlers();
  assert.ok(fast);

  void it('gives the answers the daemon gives, and leaves what needs a person to it', async () => {
    const calls: [string, Record<string, unknown>, 'alone' | 'daemon'][] = [
      ['Bash', { command: 'ls -la' }, 'alone'],
      ['Bash', { command: 'rm -rf /w' }, 'alone'],
      ['Bash', { command: 'git push --force origin main' }, 'alone'],
      ['Bash', { command: './deploy.sh staging' }, 'daemon'],
      ['Write', { file_path: '/w/a.md', content: 'deploy to production' }, 'alone'],
      ['WebFetch', { url: 'https://example.invalid' }, 'alone'],
      ['Write', { file_path: '/w/big.md', content: 'x'.repeat(64 * 1024) }, 'daemon'],
    ];
    for (const [tool, input, who] of calls) {
      const call = { tool_name: tool, tool_input: input };
      const alone = fastCall(fast, call);
      assert.equal(alone === undefined ? 'daemon' : 'alone', who, `${tool} ${JSON.stringify(input).slice(0, 60)}`);
      if (alone) assert.deepEqual(alone.decision, await guard.decide(call));
      if (alone?.decision.decision === 'deny') assert.equal(alone.blocked, alone.decision.reason);
    }
  });

  void it('decides programs as the exec guard does, and leaves approvals to the daemon', async () => {
    const runs: [string, string[], 'alone' | 'daemon'][] = [
      ['/bin/ls', ['ls'], 'alone'],
      ['/bin/rm', ['rm', '-rf', '/w'], 'alone'],
      ['/w/deploy.sh', ['./deploy.sh'], 'daemon'],
    ];
    for (const [path, argv, who] of runs) {
      const request = { path, argv, cwd: '/w' };
      const alone = fastExec(fast, request);
      assert.equal(alone === undefined ? 'daemon' : 'alone', who, argv.join(' '));
      if (alone) assert.deepEqual(alone.decision, await guard.decideExec(request));
    }
    assert.equal(fastExec({ policy: fast.policy }, { path: '/bin/ls', argv: ['ls'], cwd: '/w' }), undefined, 'no exec rules: the daemon decides');
  });
});
