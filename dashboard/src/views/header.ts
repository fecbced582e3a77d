import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { formatCost } from '../format.js';
import type { DaemonStatus } from '../types.js';

export type Live = 'connecting' | 'live' | 'down';

const LIVE_TEXT: Record<Live, string> = { connecting: 'connecting…', live: 'live', down: 'disconnected' };

export function Header({ status, live }: { status: DaemonStatus | undefined; live: Live }) {
  const [leaving, setLeaving] = useState(false);
  const pool = status?.pool;
  const logout = async (): Promise<void> => {
    setLeaving(true);
    try {
      await api.logout();
    } catch {
      // Reloading shows the login form, or the page again if the daemon is away.
    }
    location.reload();
  };
  return html`
    <header class="top">
      <a class="brand" href="#/">vp-daemon</a>
      <dl class="figures">
        <div><dt>pid</dt><dd>${status?.pid ?? '—'}</dd></div>
        <div>
          <dt>pool</dt>
          <dd>
            ${pool ? `active ${pool.activeCount ?? 0}/${pool.capacity ?? 0}, queued ${pool.queuedCount ?? 0}` : '—'}
            ${pool?.draining ? html` <span class="badge tone-warn">draining</span>` : null}
            ${pool?.pausedUntil !== undefined && pool.pausedUntil !== null
              ? html` <span class="badge tone-warn">paused</span>`
              : null}
          </dd>
        </div>
        <div><dt>total cost</dt><dd>${formatCost(status?.sessions?.totalCostUsd)}</dd></div>
      </dl>
      <span class=${`live live-${live}`} role="status" aria-live="polite">
        <span class="dot" aria-hidden="true"></span>${LIVE_TEXT[live]}
      </span>
      <button type="button" class="secondary" disabled=${leaving} onClick=${() => void logout()}>Log out</button>
    </header>
  `;
}
