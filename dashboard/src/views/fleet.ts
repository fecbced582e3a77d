import { html } from 'htm/preact';
import { useMemo } from 'preact/hooks';
import { buildSeries, countEntries } from '../chartData.js';
import { formatCount, formatPercent } from '../format.js';
import type { DaemonStatus, Fleet } from '../types.js';
import { ErrorNote, StateBadge } from './badge.js';
import { FleetChart } from './chart.js';

export function FleetView({ fleet, error, status }: { fleet: Fleet | undefined; error: string | undefined; status: DaemonStatus | undefined }) {
  const data = useMemo(() => buildSeries(fleet?.series), [fleet?.series]);
  const byState = countEntries(fleet?.byState);
  const crashes = countEntries(fleet?.crashClasses);
  const rec = fleet?.recoveries;
  const recovery = status?.recovery;
  return html`
    <section class="card fleet" aria-labelledby="fleet-h">
      <h2 id="fleet-h">Fleet</h2>
      <${ErrorNote} error=${error} />
      ${fleet === undefined
        ? html`<p class="empty">${error ? '' : 'Loading…'}</p>`
        : html`
            <div class="fleet-grid">
              <div>
                <h3>Sessions by state</h3>
                ${byState.length === 0
                  ? html`<p class="empty">No sessions yet</p>`
                  : html`<ul class="counts">
                      ${byState.map(([s, n]) => html`<li key=${s}><${StateBadge} state=${s} /> <span>${formatCount(n)}</span></li>`)}
                    </ul>`}
              </div>
              <div>
                <h3>Crash classes</h3>
                ${crashes.length === 0
                  ? html`<p class="empty">No crashes</p>`
                  : html`<ul class="counts">
                      ${crashes.map(([c, n]) => html`<li key=${c}><span class="mono">${c}</span> <span>${formatCount(n)}</span></li>`)}
                    </ul>`}
              </div>
              <div>
                <h3>Recoveries</h3>
                <dl class="kv">
                  <dt>attempted</dt><dd>${formatCount(rec?.attempted ?? 0)}</dd>
                  <dt>succeeded</dt><dd>${formatCount(rec?.succeeded ?? 0)}</dd>
                  <dt>failed</dt><dd>${formatCount(rec?.failed ?? 0)}</dd>
                  ${typeof recovery?.activeRecoveries === 'number'
                    ? html`<dt>active</dt><dd>${formatCount(recovery.activeRecoveries)}</dd>`
                    : null}
                  ${typeof recovery?.recoveryRate === 'number'
                    ? html`<dt>rate</dt><dd>${formatPercent(recovery.recoveryRate > 1 ? recovery.recoveryRate / 100 : recovery.recoveryRate)}</dd>`
                    : null}
                </dl>
              </div>
            </div>
            <h3>Cumulative tokens and cost</h3>
            ${data[0].length === 0 ? html`<p class="empty">No usage recorded yet</p>` : html`<${FleetChart} data=${data} />`}
          `}
    </section>
  `;
}
