// The approvals inbox. An item leaves when the server's `approvals` event no longer lists it; meanwhile
// its buttons stay disabled once the decision was sent.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import { fullInput, waitedSince } from '../format.js';
import { sessionHref, useNow } from '../hooks.js';
import type { Approval } from '../types.js';
import { ErrorNote } from './badge.js';

interface Props {
  approvals: Approval[] | undefined;
  error: string | undefined;
}

export function ApprovalsView({ approvals, error }: Props) {
  const now = useNow(1000);
  const list = Array.isArray(approvals) ? approvals : [];
  return html`
    <section class=${`card approvals${list.length > 0 ? ' attn' : ''}`} aria-labelledby="approvals-h">
      <h2 id="approvals-h">Approvals <span class="muted">${list.length > 0 ? list.length : ''}</span></h2>
      <${ErrorNote} error=${error} />
      ${approvals === undefined
        ? html`<p class="empty">${error ? '' : 'Loading…'}</p>`
        : list.length === 0
          ? html`<p class="empty">No approvals waiting</p>`
          : html`<ul class="inbox">
              ${list.map((a) => html`<${ApprovalItem} key=${a.approvalId} approval=${a} now=${now} />`)}
            </ul>`}
    </section>
  `;
}

function ApprovalItem({ approval: a, now }: { approval: Approval; now: number }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<'approved' | 'denied' | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const decide = async (decision: 'approved' | 'denied'): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      if (decision === 'approved') await api.approve(a.approvalId);
      else await api.deny(a.approvalId, reason.trim());
      setSent(decision);
    } catch (err) {
      setError(`Could not send: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  const input = fullInput(a.input);
  const inputId = `reason-${a.approvalId}`;
  const disabled = busy || sent !== undefined;
  return html`
    <li class="approval" data-approval-id=${a.approvalId}>
      <div class="approval-head">
        <strong class="tool">${a.toolName ?? 'tool'}</strong>
        <span class="muted">in</span>
        <a href=${sessionHref(a.sessionId)} class="mono">${a.sessionId}</a>
        <span class="waited">${waitedSince(a.requestedAt, now)}</span>
      </div>
      ${input.long ? html`<p class="badge tone-attn">Long input: read all of it before you approve</p>` : null}
      ${input.main !== '' ? html`<pre class="command full">${input.main}</pre>` : null}
      ${input.rest !== undefined ? html`<pre class="command full" aria-label="Other input">${input.rest}</pre>` : null}
      ${a.reason ? html`<p class="rule">${a.reason}</p>` : null}
      <div class="actions">
        <button type="button" disabled=${disabled} onClick=${() => void decide('approved')}>Approve</button>
        <button type="button" class="danger" disabled=${disabled} onClick=${() => void decide('denied')}>Deny</button>
        <label for=${inputId} class="sr-label">Reason</label>
        <input
          id=${inputId}
          type="text"
          placeholder="Reason (optional, for Deny)"
          value=${reason}
          disabled=${disabled}
          onInput=${(e: Event) => setReason((e.currentTarget as HTMLInputElement).value)}
        />
      </div>
      ${busy ? html`<p class="muted">Sending…</p>` : null}
      ${sent ? html`<p class="muted">${sent === 'approved' ? 'Approved' : 'Denied'}; waiting for the daemon…</p>` : null}
      <${ErrorNote} error=${error} />
    </li>
  `;
}
