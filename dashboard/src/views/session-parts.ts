import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Conversation, Item } from '../conversation.js';
import {
  describeInput,
  elapsedMs,
  formatCost,
  formatCount,
  formatDuration,
  formatTime,
  formatTokens,
  safeJson,
} from '../format.js';
import { sessionHref, useNow } from '../hooks.js';
import type { Attempt, CrashAnalysis, SessionRow, Workspace } from '../types.js';
import { StateBadge } from './badge.js';

export function FiguresView({ row }: { row: SessionRow }) {
  const now = useNow(1000);
  const fig = (label: string, value: unknown) =>
    value === undefined || value === null || value === '' ? null : html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
  return html`
    <section class="card">
      <dl class="figures wide">
        ${fig('task', row.taskId)} ${fig('charter', row.charter)} ${fig('priority', row.priority)}
        ${fig('request', row.requestId)} ${fig('started', formatTime(row.startedAt))}
        ${fig('ended', row.endedAt ? formatTime(row.endedAt) : undefined)}
        ${fig('running', formatDuration(elapsedMs(row, now)))} ${fig('tokens', formatTokens(row.tokens))}
        ${fig('cost', formatCost(row.costUsd))} ${fig('commands', formatCount(row.commands))}
        ${fig('files', formatCount(row.files))} ${fig('branch', row.branch)} ${fig('changes', row.changes)}
      </dl>
    </section>
  `;
}

export function WorkspaceView({ ws }: { ws: Workspace }) {
  const files = Array.isArray(ws.filesChanged) ? ws.filesChanged : [];
  return html`
    <section class="card" aria-labelledby="ws-h">
      <h2 id="ws-h">Workspace</h2>
      <dl class="kv">
        <dt>branch</dt><dd class="mono">${ws.branch ?? '—'}</dd>
        <dt>path</dt><dd class="mono">${ws.path ?? '—'}</dd>
        <dt>changes</dt>
        <dd>
          ${formatCount(ws.commits ?? 0)} commit(s), ${files.length} file(s),
          <span class="plus">+${formatCount(ws.insertions ?? 0)}</span>
          <span class="minus">-${formatCount(ws.deletions ?? 0)}</span>
        </dd>
        <dt>kept</dt><dd>${ws.kept === true ? 'yes' : ws.kept === false ? 'no' : '—'}</dd>
      </dl>
      ${files.length > 0
        ? html`<details><summary>Files changed (${files.length})</summary><ul class="files mono">${files.map((f) => html`<li key=${f}>${f}</li>`)}</ul></details>`
        : null}
    </section>
  `;
}

export function ConversationView({ conv, streamState }: { conv: Conversation; streamState: string }) {
  const box = useRef<HTMLOListElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [conv]);
  const onScroll = (): void => {
    const el = box.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  };
  return html`
    <section class="card" aria-labelledby="conv-h">
      <h2 id="conv-h">Conversation <span class="muted">${streamState}</span></h2>
      ${conv.dropped > 0 ? html`<p class="muted">${conv.dropped} earlier item(s) not shown</p>` : null}
      ${conv.items.length === 0
        ? html`<p class="empty">${streamState === 'connecting' ? 'Connecting…' : 'Nothing yet'}</p>`
        : html`<ol class="conversation" ref=${box} onScroll=${onScroll}>
            ${conv.items.map((item) => html`<${ItemView} key=${item.key} item=${item} />`)}
          </ol>`}
    </section>
  `;
}

function ItemView({ item }: { item: Item }) {
  switch (item.kind) {
    case 'text':
      return html`<li class="msg assistant"><pre>${item.text}</pre></li>`;
    case 'tool_use':
      return html`<li class="msg tool-use">
        <span class="label">tool</span> <strong>${item.name}</strong>
        <pre>${describeInput(item.input, 2000)}</pre>
      </li>`;
    case 'tool_result':
      return html`<li class=${`msg tool-result${item.isError ? ' is-error' : ''}`}>
        <span class="label">${item.isError ? 'tool error' : 'result'}</span>
        <pre>${item.text.length > 4000 ? `${item.text.slice(0, 4000)}…` : item.text}</pre>
      </li>`;
    case 'blocked':
      return html`<li class="msg blocked" data-kind="blocked">
        <span class="label">blocked by guard</span> <strong>${item.toolName}</strong>
        <pre>${describeInput(item.input, 2000)}</pre>
        ${item.reason ? html`<p>${item.reason}</p>` : null}
      </li>`;
    case 'result':
      return html`<li class=${`msg final${item.isError ? ' is-error' : ''}`}>
        <span class="label">result${item.subtype ? ` (${item.subtype})` : ''}</span>
        ${item.costUsd !== undefined ? html` <span class="muted">${formatCost(item.costUsd)}</span>` : null}
        ${item.text ? html`<pre>${item.text}</pre>` : null}
      </li>`;
    default:
      return html`<li class="msg"><pre>${safeJson(item)}</pre></li>`;
  }
}

export function CrashesView({ crashes }: { crashes: CrashAnalysis[] | undefined }) {
  if (!Array.isArray(crashes) || crashes.length === 0) return null;
  return html`
    <section class="card" aria-labelledby="crash-h">
      <h2 id="crash-h">Crash analyses</h2>
      <div class="table-wrap">
        <table class="grid compact">
          <thead><tr><th>At</th><th>Class</th><th>Type</th><th>Root cause</th></tr></thead>
          <tbody>
            ${crashes.map(
              (c, i) => html`<tr key=${i}>
                <td>${formatTime(c.at)}</td><td>${c.crashClass ?? '—'}</td><td>${c.crashType ?? '—'}</td>
                <td class="wrap">${c.rootCause ?? '—'}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>
  `;
}

export function AttemptsView({ attempts, current }: { attempts: Attempt[] | undefined; current: string }) {
  if (!Array.isArray(attempts) || attempts.length === 0) return null;
  return html`
    <section class="card" aria-labelledby="att-h">
      <h2 id="att-h">Recovery attempts</h2>
      <ol class="attempts">
        ${attempts.map(
          (a) => html`<li key=${a.sessionId}>
            ${a.sessionId === current
              ? html`<span class="mono">${a.sessionId}</span> <span class="muted">(this one)</span>`
              : html`<a class="mono" href=${sessionHref(a.sessionId)}>${a.sessionId}</a>`}
            ${' '}<${StateBadge} state=${a.state} /> ${a.outcome ?? ''}
            <span class="muted">${formatTime(a.startedAt)}</span>
          </li>`,
        )}
      </ol>
    </section>
  `;
}
