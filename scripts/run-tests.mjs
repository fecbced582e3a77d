// Runs every test/**/*.test.ts with node's test runner (Node 20's --test does not expand globs).
// On Node 20 the timeout applies to a whole file, so it is generous; tests bound their own waits.
// `--real-cli` (or VP_TEST_REAL_CLI=1) keeps only the files that run the real Claude CLI: those that start the
// offline model server, and the doctor's version check. Other arguments filter by path.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const find = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? find(join(dir, entry.name)) : entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : [],
  );

const REAL_CLI = /\b(startRig|startModelServer)\(|\bTESTED_CLAUDE_VERSIONS\b/;
const args = process.argv.slice(2);
const realCli = args.includes('--real-cli') || process.env.VP_TEST_REAL_CLI === '1';
const filter = args.filter((a) => a !== '--real-cli');
const files = find('test')
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .filter((file) => !realCli || REAL_CLI.test(readFileSync(file, 'utf8')))
  .sort();
if (files.length === 0) {
  console.error('no test files match');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
