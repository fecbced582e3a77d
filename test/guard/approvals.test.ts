import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchRequiredApproval } from '../../src/guard/approvals.js';

const terms = ['deploy', 'npm publish'];
const bash = (command: string) => matchRequiredApproval('Bash', { command }, terms);

void describe('matchRequiredApproval', () => {
  const matching: [string, string][] = [
    ['./deploy.sh production', 'deploy'],
    ["./dep''loy.sh", 'deploy'],
    ['./"dep"loy.sh', 'deploy'],
    ["bash -c './dep\\loy.sh'", 'deploy'],
    ['npm  publish', 'npm publish'],
    ["n'p'm publish --dry-run", 'npm publish'],
  ];
  for (const [command, term] of matching) {
    void it(`${JSON.stringify(command)} needs approval "${term}"`, () => assert.equal(bash(command), term));
  }

  for (const command of ['./redeploy-notes.sh', 'npm install', 'echo deployment', 'ls']) {
    void it(`${JSON.stringify(command)} needs none`, () => assert.equal(bash(command), undefined));
  }

  void it('matches other tools by name', () => {
    assert.equal(matchRequiredApproval('mcp__ci__deploy', { env: 'x' }, terms), 'deploy');
    assert.equal(matchRequiredApproval('Write', { content: 'deploy' }, terms), undefined);
    assert.equal(matchRequiredApproval('Bash', { command: 'deploy' }, []), undefined);
  });
});
