import { html } from 'htm/preact';
import { stateTone } from '../format.js';

export function StateBadge({ state }: { state: string | undefined }) {
  const s = typeof state === 'string' && state !== '' ? state : 'unknown';
  return html`<span class=${`badge tone-${stateTone(s)}`}>${s}</span>`;
}

export function ApprovalBadge() {
  return html`<span class="badge tone-attn">needs approval</span>`;
}

export function ErrorNote({ error }: { error: string | undefined }) {
  return error === undefined ? null : html`<p class="error" role="alert">${error}</p>`;
}
