import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { nodeRows, pauseNote } from '../cluster.js';
import { useNow } from '../hooks.js';
import type { ClusterRequest, ClusterStatus } from '../types.js';
import { StateBadge } from './badge.js';

/** The fleet on Redis: its nodes with their heartbeats, and which node runs each request. Shown only in a fleet. */
export function ClusterView({ cluster, statusAt }: { cluster: ClusterStatus | undefined; statusAt: number }) {
  const now = useNow(1000);
  const [requests, setRequests] = useState<ClusterRequest[]>([]);
  // Reloaded with each status the daemon sends (at most every 2 s), and every 5 s (other nodes send none here).
  useEffect(() => {
    if (!cluster) return;
    const load = (): void => void api.fleetRequests().then(setRequests, () => undefined);
    const timer = setTimeout(load, 100);
    const every = setInterval(load, 5000);
    return () => {
      clearTimeout(timer);
      clearInterval(every);
    };
  }, [cluster !== undefined, Math.floor(statusAt / 2000)]);
  if (!cluster) return null;
  const pause = pauseNote(cluster, now);
  return html`
    <section class="card cluster" aria-labelledby="cluster-h">
      <h2 id="cluster-h">Nodes of fleet ${cluster.name} <span class="muted">${cluster.nodes.length}</span></h2>
      ${pause ? html`<p class="error" role="status">${pause}</p>` : null}
      <div class="table-wrap">
        <table class="grid compact nodes">
          <thead><tr><th>Node</th><th>Sessions</th><th>State</th><th>Heartbeat</th></tr></thead>
          <tbody>
            ${nodeRows(cluster, now).map(
              (n) => html`<tr key=${n.id} data-node=${n.id}>
                <td class="mono">${n.label}</td><td>${n.sessions}</td><td><${StateBadge} state=${n.state} /></td><td>${n.heartbeat}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <h3>Requests</h3>
      ${requests.length === 0
        ? html`<p class="empty">No request started yet</p>`
        : html`<div class="table-wrap">
            <table class="grid compact fleet-requests">
              <thead><tr><th>Request</th><th>State</th><th>Node</th><th class="num">Attempts</th><th>Branch</th></tr></thead>
              <tbody>
                ${requests.map(
                  (r) => html`<tr key=${r.requestId} data-request-id=${r.requestId}>
                    <td class="mono">${r.requestId}</td><td><${StateBadge} state=${r.state} /></td>
                    <td class="mono">${r.node ?? '—'}</td><td class="num">${r.attempts}</td><td class="mono">${r.branch ?? ''}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`}
    </section>
  `;
}
