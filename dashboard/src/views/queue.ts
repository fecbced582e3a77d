import { html } from 'htm/preact';
import { formatSpan, formatWaited } from '../format.js';
import { useNow } from '../hooks.js';
import type { DaemonStatus } from '../types.js';

/** Queued requests; "waited" ticks on from the status's `waitedMs` at the time it arrived. */
export function QueueView({ status, statusAt }: { status: DaemonStatus | undefined; statusAt: number }) {
  const now = useNow(1000);
  const queued = [...(status?.pool?.queuedRequests ?? [])].sort(
    (a, b) => (a.position ?? Infinity) - (b.position ?? Infinity),
  );
  const since = Math.max(0, now - statusAt);
  return html`
    <section class="card queue" aria-labelledby="queue-h">
      <h2 id="queue-h">Queue <span class="muted">${queued.length > 0 ? queued.length : ''}</span></h2>
      ${status === undefined
        ? html`<p class="empty">Loading…</p>`
        : queued.length === 0
          ? html`<p class="empty">Nothing queued</p>`
          : html`
              <div class="table-wrap">
                <table class="grid compact">
                  <thead>
                    <tr><th class="num">#</th><th>Request</th><th>Priority</th><th>Waited</th><th>Est. wait</th></tr>
                  </thead>
                  <tbody>
                    ${queued.map(
                      (q) => html`
                        <tr key=${q.requestId} data-request-id=${q.requestId}>
                          <td class="num">${q.position ?? '—'}</td>
                          <td class="mono" title=${q.requestId}>${q.requestId}</td>
                          <td>${q.priority ?? '—'}</td>
                          <td>${typeof q.waitedMs === 'number' ? formatWaited(q.waitedMs + since) : '—'}</td>
                          <td>
                            ${typeof q.estimatedWaitTime === 'number'
                              ? `~${formatSpan(Math.max(0, q.estimatedWaitTime - since))}`
                              : '—'}
                          </td>
                        </tr>
                      `,
                    )}
                  </tbody>
                </table>
              </div>
            `}
    </section>
  `;
}
