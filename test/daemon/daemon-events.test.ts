// VPDaemon emits what it records, after recording it; a crash's dump path is stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VPDaemon, type DaemonEvents } from '../../src/index.js';
import { bash, say, scenarioMarker, startModelServer, type ModelServer } from '../../src/testing/index.js';
import { crashWhileRunning } from '../helpers/crash.js';
import { makeConfig, silentLogger, tempDir, waitFor } from '../helpers/fixtures.js';

describe('VPDaemon events', () => {
  let server: ModelServer;
  let dir: ReturnType<typeof tempDir>;
  before(async () => {
    server = await startModelServer({ scenarios: [{ name: 'crashy', steps: [bash('echo working && sleep 33'), say('Done after the crash.')] }] });
    dir = tempDir('vp-daemon-events-');
  });
  after(async () => {
    await server.close();
    dir.remove();
  });

  it('records and emits the request, its sessions, the crash and its dump, in order', async () => {
    const daemon = new VPDaemon({
      stateDir: `${dir.path}/state`,
      logger: silentLogger,
      spawner: { env: { ...server.env, HOME: dir.path, CLAUDE_CONFIG_DIR: `${dir.path}/.claude` }, killGraceMs: 2000 },
      recovery: { strategy: 'immediate' },
    });
    const seen: string[] = [];
    const names: (keyof DaemonEvents)[] = ['request-recorded', 'request-updated', 'session-started', 'session-ended', 'crash-recorded', 'crash-dump-saved'];
    for (const name of names) daemon.on(name, (e: { state?: string }) => seen.push(e.state ? `${name}:${e.state}` : name));
    let dumpPath = '';
    daemon.on('crash-dump-saved', ({ filepath }) => (dumpPath = filepath));
    await daemon.start();
    try {
      const { charter } = makeConfig(dir.path);
      const { requestId } = await daemon.handleTriageRequest({ task: { id: 'T-1', description: `Work ${scenarioMarker('crashy')}` }, charter, workingDirectory: dir.path });
      const started = new Promise<{ sessionId: string }>((r) => daemon.once('session-started', r));
      const { sessionId } = await started;
      const pid = daemon.spawner.getSessionStatus(sessionId)?.pid ?? 0;
      await crashWhileRunning(sessionId, pid, 'sleep 33');
      await waitFor(() => daemon.store.getRequest(requestId)?.state === 'completed', 60_000, 'the retried request to complete');
      await waitFor(() => dumpPath !== '', 10_000, 'the crash dump');
      const [crash] = daemon.store.listCrashes();
      assert.equal(crash?.crashClass, 'segfault');
      assert.equal(crash?.dumpPath, dumpPath, 'the dump path is stored with the crash');
      assert.deepEqual(
        seen.filter((e) => e !== 'crash-dump-saved'),
        [
          'request-recorded:queued',
          'request-updated:running',
          'session-started',
          'session-ended:crashed',
          'crash-recorded',
          // The retry: the same request, a new session.
          'request-updated:running',
          'session-started',
          'session-ended:completed',
          'request-updated:completed',
        ],
      );
    } finally {
      await daemon.stop(1000);
    }
  });
});
