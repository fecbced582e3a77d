// The dashboard's fleet nodes list and pause note (pure).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeRows, pauseNote } from '../../dashboard/src/cluster.js';

const now = 1_000_000;
const cluster = {
  name: 'team',
  node: 'b',
  jobs: {},
  nodes: [
    { id: 'a', host: 'h1', running: 0, maxSessions: 2, paused: true, lost: false, heartbeatAt: now - 1000 },
    { id: 'b', host: 'h2', running: 2, maxSessions: 2, paused: false, lost: false, heartbeatAt: now },
    { id: 'c', host: 'h3', running: 1, maxSessions: 4, paused: false, lost: true, heartbeatAt: now - 31_000 },
  ],
};

describe('dashboard cluster', () => {
  it('lists this node first, then the others, each with its state and heartbeat age', () => {
    assert.deepEqual(nodeRows(cluster, now).map((r) => [r.label, r.sessions, r.state, r.heartbeat]), [
      ['b (this node)', '2/2', 'up', '0 s ago'],
      ['a', '0/2', 'draining', '1 s ago'],
      ['c', '1/4', 'lost', '31 s ago'],
    ]);
  });

  it('notes a fleet-wide pause only while it lasts', () => {
    assert.equal(pauseNote(cluster, now), undefined);
    assert.equal(pauseNote({ ...cluster, pausedUntil: now + 4500 }, now), 'Paused for a rate limit: no node takes work for 5 s');
    assert.equal(pauseNote({ ...cluster, pausedUntil: now - 1 }, now), undefined);
  });
});
