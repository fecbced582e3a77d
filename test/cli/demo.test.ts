// `npm start`'s demo, run as a user runs it: the built command in a child process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';

const run = promisify(execFile);

describe('vp-daemon demo', () => {
  it('shows a blocked command, an approval, a crash resumed, a refused key and a timeout', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--json'], { timeout: 120_000 });
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; task?: string; state?: string; outcome?: string; notes?: string[] });
    const row = (task: string) => events.find((e) => e.event === 'summary-row' && e.task === task);
    assert.equal(row('Add a health check')?.state, 'completed');
    assert.deepEqual(row('Clean the build folder')?.notes, ['forbidden command blocked']);
    assert.deepEqual(row('Deploy to staging')?.notes, ['approved by a person']);
    assert.equal(row('Crunch the numbers')?.state, 'completed');
    assert.deepEqual(row('Crunch the numbers')?.notes, ['crashed, resumed']);
    assert.equal(row('Use a revoked API key')?.outcome, 'api_error:auth');
    assert.equal(row('Wait on a stuck API')?.state, 'timeout');
    assert.ok(events.some((e) => e.event === 'summary'));
  });
});
