// A charter named by a request sent to the daemon: its own folder, the environment's, the request's project, the state's.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CharterNotFoundError, VPDaemon } from '../../src/index.js';
import { charterFileText, silentLogger, tempDir } from '../helpers/fixtures.js';

describe('VPDaemon charter lookup', () => {
  it('looks in --charters, VP_DAEMON_CHARTERS, the working folder up to its repository root, then <state>/../charters', async () => {
    const dir = tempDir('vp-daemon-charters-');
    const project = join(dir.path, 'repo', 'service');
    mkdirSync(join(dir.path, 'repo', '.git'), { recursive: true });
    mkdirSync(project, { recursive: true });
    // No CLI runs here: the binary does not exist, so a queued request fails at its spawn.
    const spawner = { claudePath: join(dir.path, 'no-claude') };
    const daemon = new VPDaemon({ stateDir: join(dir.path, 'state'), chartersDir: join(dir.path, 'mine'), logger: silentLogger, spawner });
    const saved = process.env['VP_DAEMON_CHARTERS'];
    process.env['VP_DAEMON_CHARTERS'] = join(dir.path, 'shared');
    await daemon.start();
    try {
      const request = { task: { id: 'T-1', description: 'x' }, charter: 'missing', workingDirectory: project };
      const error = await daemon.handleTriageRequest(request).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof CharterNotFoundError, String(error));
      assert.deepEqual(error.searched, [
        join(dir.path, 'mine'),
        join(dir.path, 'shared'),
        join(project, 'charters'),
        join(dir.path, 'repo', 'charters'),
        join(dir.path, 'charters'),
      ]);
      assert.equal(daemon.store.listRequests().length, 0, 'nothing was queued');
      // The project's own charters folder answers once it has the file.
      mkdirSync(join(dir.path, 'repo', 'charters'));
      writeFileSync(join(dir.path, 'repo', 'charters', 'found.yaml'), charterFileText());
      const { requestId } = await daemon.handleTriageRequest({ ...request, charter: 'found' });
      assert.ok(daemon.store.getRequest(requestId), 'the request was accepted with the charter found');
    } finally {
      if (saved === undefined) delete process.env['VP_DAEMON_CHARTERS'];
      else process.env['VP_DAEMON_CHARTERS'] = saved;
      await daemon.stop(1000);
      dir.remove();
    }
  });
});
