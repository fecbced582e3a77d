// Runs every test/**/*.test.ts with node's test runner (Node 20's --test does not expand globs).
// On Node 20 the timeout applies to a whole file, so it is generous; tests bound their own waits.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const find = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? find(join(dir, entry.name)) : entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : [],
  );

const filter = process.argv.slice(2);
const files = find('test').filter((file) => filter.length === 0 || filter.some((f) => file.includes(f))).sort();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
