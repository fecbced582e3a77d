import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The demo repository: a small project on `main`, committed by its owner. */
export function makeDemoRepository(repo: string): string {
  mkdirSync(repo);
  writeFileSync(join(repo, 'README.md'), '# Demo service\n');
  writeFileSync(join(repo, 'VERSION'), '1.0.0\n');
  writeFileSync(join(repo, 'deploy.sh'), '#!/bin/sh\necho "deploying to $1"\n', { mode: 0o755 });
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=Demo Owner', '-c', 'user.email=owner@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: repo, encoding: 'utf8' }).trim();
  git('init', '--quiet');
  git('add', '--all');
  git('commit', '--quiet', '-m', 'The demo service');
  return git('rev-parse', 'HEAD');
}
