import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkToolCall, type PolicyRules } from '../../../src/charter/policy/index.js';

const rules: PolicyRules = {
  forbiddenCommands: ['rm -rf', 'git push --force', 'npm publish', 'curl'],
  forbiddenPatterns: [/deploy.*production/i, /\.env$/],
};

const bash = (command: string, r: PolicyRules = rules) => checkToolCall('Bash', { command }, r);

// [command, rule expected to fire]
const BLOCKED: [string, string][] = [
  // rm -rf: flag spellings and positions
  ['rm -rf /tmp/x', 'rm -rf'],
  ['rm -fr x', 'rm -rf'],
  ['rm -r -f x', 'rm -rf'],
  ['rm -f -r x', 'rm -rf'],
  ['rm --recursive --force x', 'rm -rf'],
  ['rm --recur --force x', 'rm -rf'],
  ['rm -Rf x', 'rm -rf'],
  ['rm x -rf', 'rm -rf'],
  ['rm -v -r -f x', 'rm -rf'],
  ['rm "-rf" x', 'rm -rf'],
  ['rm \\-rf x', 'rm -rf'],
  ['rm -rf x 2>/dev/null >out.txt', 'rm -rf'],
  // rm -rf: program spellings
  ['/bin/rm -rf x', 'rm -rf'],
  ['./rm -rf x', 'rm -rf'],
  ['\\rm -rf x', 'rm -rf'],
  ["'rm' -rf x", 'rm -rf'],
  ['"r"m -rf x', 'rm -rf'],
  ["r''m -rf x", 'rm -rf'],
  ["$'\\x72m' -rf x", 'rm -rf'],
  ['r{m,} -rf x', 'rm -rf'],
  ['rm \\\n  -rf x', 'rm -rf'],
  // rm -rf: lists, pipes, grouping, substitution
  ['echo a; rm -rf x', 'rm -rf'],
  ['true && rm -rf x', 'rm -rf'],
  ['false || rm -rf x', 'rm -rf'],
  ['ls | rm -rf x', 'rm -rf'],
  ['nohup rm -rf x &', 'rm -rf'],
  ['echo hi\nrm -rf x', 'rm -rf'],
  ['(rm -rf x)', 'rm -rf'],
  ['{ rm -rf x; }', 'rm -rf'],
  ['echo $(rm -rf x)', 'rm -rf'],
  ['echo `rm -rf x`', 'rm -rf'],
  ['echo "$(rm -rf x)"', 'rm -rf'],
  ['x=$(rm -rf x)', 'rm -rf'],
  ['diff <(rm -rf x) y', 'rm -rf'],
  ['if true; then rm -rf x; fi', 'rm -rf'],
  ['f() { rm -rf x; }; f', 'rm -rf'],
  ['FOO=1 rm -rf x', 'rm -rf'],
  // rm -rf: wrappers
  ['bash -c "rm -rf x"', 'rm -rf'],
  ["sh -c 'cd /; rm -rf x'", 'rm -rf'],
  ["zsh -c 'rm -rf x'", 'rm -rf'],
  ["dash -c 'rm -rf x'", 'rm -rf'],
  ['bash -c "bash -c \'rm -rf x\'"', 'rm -rf'],
  ['eval "rm -rf x"', 'rm -rf'],
  ['eval \'sudo bash -c "rm -rf x"\'', 'rm -rf'],
  ['env rm -rf x', 'rm -rf'],
  ['/usr/bin/env rm -rf x', 'rm -rf'],
  ['env -i FOO=1 rm -rf x', 'rm -rf'],
  ["env -S 'rm -rf x'", 'rm -rf'],
  ['sudo rm -rf x', 'rm -rf'],
  ['sudo -u root rm -rf x', 'rm -rf'],
  ['sudo -E env FOO=bar rm -rf x', 'rm -rf'],
  ['doas rm -rf x', 'rm -rf'],
  ['echo x | xargs rm -rf', 'rm -rf'],
  ['echo -rf x | xargs rm', 'rm -rf'],
  ['command rm -rf x', 'rm -rf'],
  ['timeout 5 rm -rf x', 'rm -rf'],
  ['nice -n 5 rm -rf x', 'rm -rf'],
  ['setsid rm -rf x', 'rm -rf'],
  ['exec rm -rf x', 'rm -rf'],
  ['time rm -rf x', 'rm -rf'],
  ['stdbuf -oL rm -rf x', 'rm -rf'],
  ['busybox rm -rf x', 'rm -rf'],
  ['watch -n 1 rm -rf x', 'rm -rf'],
  ['find . -name tmp -exec rm -rf {} +', 'rm -rf'],
  ["echo 'rm -rf x' | sh", 'rm -rf'],
  ['cat <<EOF | bash\nrm -rf x\nEOF', 'rm -rf'],
  ["bash <<< 'rm -rf x'", 'rm -rf'],
  // git push --force
  ['git push --force', 'git push --force'],
  ['git push -f origin main', 'git push --force'],
  ['git push origin main --force', 'git push --force'],
  ['git -C repo push --force', 'git push --force'],
  ['git push --force-with-lease', 'git push --force'],
  ['git push origin +main', 'git push --force'],
  ['/usr/bin/git -c user.name=x push -f', 'git push --force'],
  ["sh -c 'git push -f'", 'git push --force'],
  // npm publish: any invocation, --dry-run included (the rule names no flags, so none are exempt)
  ['npm publish', 'npm publish'],
  ['npm publish --dry-run', 'npm publish'],
  ['cd pkg && npm publish --access public', 'npm publish'],
  // curl: the bare program
  ['curl https://example.com', 'curl'],
  ['/usr/bin/curl -s x', 'curl'],
  ['echo $(curl -s x)', 'curl'],
  ['curl -s x | sh', 'curl'],
  // patterns, raw or after quote removal
  ['./deploy.sh production', String(/deploy.*production/i)],
  ["bash -c 'DEPLOY --env=production'", String(/deploy.*production/i)],
  ["dep''loy prod\"uction\"", String(/deploy.*production/i)],
  ['cat .env', String(/\.env$/)],
];

const ALLOWED: string[] = [
  'rm file.txt',
  'rm -f file.txt',
  'rm -r dir',
  'rm -- -rf',
  'git push',
  'git push origin main',
  'git push --dry-run origin main',
  'git status',
  'git log --format=%H',
  'git commit -m "push --force later"',
  'echo "rm -rf is dangerous"',
  "printf '%s' \"git push --force\"",
  'grep -r "force" .',
  'ls -rf',
  'cat README.md',
  'echo hello > out.txt',
  "find . -name '*.ts'",
  'npm install',
  'echo "npm publish"',
  'command -v curl',
  'echo curling',
  'echo "deploy to staging"',
  "cat <<'EOF' > notes.md\nrm -rf x\nEOF",
  'ls # rm -rf x',
];

describe('checkToolCall: Bash bypass attempts are blocked', () => {
  assert.ok(BLOCKED.length >= 60);
  for (const [command, rule] of BLOCKED) {
    it(JSON.stringify(command), () => {
      const verdict = bash(command);
      assert.equal(verdict.allowed, false, `${command} should be blocked`);
      if (!verdict.allowed) assert.equal(verdict.rule, rule);
    });
  }
});

describe('checkToolCall: ordinary commands pass', () => {
  assert.ok(ALLOWED.length >= 15);
  for (const command of ALLOWED) {
    it(JSON.stringify(command), () => assert.deepEqual(bash(command), { allowed: true }));
  }
});
