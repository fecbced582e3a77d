import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from './fixtures.js';

let built: string | undefined;

/**
 * The compiled stand-in agent (test/fixtures/stand-in.c): after its first stdin line it prints system/init,
 * STANDIN_MESSAGES assistant messages STANDIN_INTERVAL_MS apart, and a result. Built once per test process.
 */
export function standInAgent(): string {
  if (built) return built;
  const dir = tempDir('vp-stand-in-');
  process.once('exit', () => dir.remove());
  const out = join(dir.path, 'stand-in');
  const cc = spawnSync('cc', ['-O2', '-o', out, join(import.meta.dirname, '../fixtures/stand-in.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cannot compile the stand-in agent: ${cc.stderr || String(cc.error)}`);
  return (built = out);
}
