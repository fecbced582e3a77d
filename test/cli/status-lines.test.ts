// `vp-daemon status` as text, with and without a fleet (pure).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusLines } from '../../src/cli/commands/client.js';

const pool = { activeCount: 1, capacity: 2, queuedCount: 0, utilization: 50 };
const recovery = { totalCrashes: 0 };

describe('statusLines', () => {
  it('is one line outside a fleet', () => {
    assert.deepEqual(statusLines({ pool, recovery }), ['active 1/2, queued 0, utilization 50%, crashes 0']);
  });

  it("shows the fleet's nodes with their heartbeats, a lost one and the pause", () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    const lines = statusLines({
      pool,
      recovery,
      fleet: {
        name: 'team',
        node: 'a',
        pausedUntil: now + 60_000,
        jobs: { waiting: 3, active: 2 },
        nodes: [
          { id: 'a', running: 1, maxSessions: 2, paused: false, lost: false, heartbeatAt: now - 2000 },
          { id: 'b', running: 1, maxSessions: 4, paused: false, lost: true, heartbeatAt: now - 40_000 },
        ],
      },
    }, now);
    assert.equal(lines[1], 'fleet team: 2 nodes, jobs waiting 3, prioritized 0, delayed 0, active 2, paused until 2026-12-02T12:01:00.000Z (rate limit)');
    assert.match(lines[2] ?? '', /a \(this one\)\s+1\/2\s+up\s+2 s ago/);
    assert.match(lines[2] ?? '', /b\s+1\/4\s+lost\s+40 s ago/);
  });
});
