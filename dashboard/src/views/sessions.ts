// The sessions table: a windowed list (fixed row height, spacer rows) over a sparse list that pages fill
// as the user scrolls.
import { html } from 'htm/preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { elapsedMs, formatCost, formatCount, formatDuration, formatTokens } from '../format.js';
import { sessionHref, useNow } from '../hooks.js';
import type { SparseList } from '../sessionList.js';
import type { SessionRow } from '../types.js';
import { computeWindow } from '../vlist.js';
import { ApprovalBadge, ErrorNote, StateBadge } from './badge.js';

export const ROW_HEIGHT = 36;

interface Props {
  list: SparseList<SessionRow>;
  loading: boolean;
  error: string | undefined;
  /** Asks for the rows start..end-1 to be loaded. */
  onRange: (start: number, end: number) => void;
}

export function SessionsView({ list, loading, error, onRange }: Props) {
  const now = useNow(1000);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setHeight(el.clientHeight);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const onScroll = (): void => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setScrollTop(scroller.current?.scrollTop ?? 0));
  };

  const win = computeWindow({ scrollTop, viewportHeight: height, rowHeight: ROW_HEIGHT, total: list.total });
  useEffect(() => onRange(win.start, win.end), [win.start, win.end, list.total, list.shift]);

  const rows = [];
  for (let i = win.start; i < win.end; i++) {
    const row = list.rows[i];
    rows.push(row ? html`<${Row} key=${row.sessionId} row=${row} now=${now} />` : html`<${Placeholder} key=${`p${i}`} />`);
  }

  return html`
    <section class="card sessions" aria-labelledby="sessions-h">
      <h2 id="sessions-h">Sessions <span class="muted">${list.total > 0 ? formatCount(list.total) : ''}</span></h2>
      <${ErrorNote} error=${error} />
      ${list.total === 0
        ? html`<p class="empty">${loading ? 'Loading sessions…' : error ? '' : 'No sessions yet'}</p>`
        : null}
      <div
        class="table-scroll"
        ref=${scroller}
        onScroll=${onScroll}
        hidden=${list.total === 0}
        tabindex="0"
        role="region"
        aria-label="Sessions table"
      >
        <table class="grid">
          <thead>
            <tr>
              <th>Task</th><th>Charter</th><th>Priority</th><th>State</th><th class="num">Running</th>
              <th class="num">Tokens</th><th class="num">Cost</th><th class="num">Cmds</th><th class="num">Files</th>
              <th>Branch</th>
            </tr>
          </thead>
          <tbody>
            ${win.padTop > 0 ? html`<tr class="spacer" aria-hidden="true" style=${{ height: `${win.padTop}px` }}></tr>` : null}
            ${rows}
            ${win.padBottom > 0
              ? html`<tr class="spacer" aria-hidden="true" style=${{ height: `${win.padBottom}px` }}></tr>`
              : null}
          </tbody>
        </table>
      </div>
    </section>
  `;
}

function Row({ row, now }: { row: SessionRow; now: number }) {
  const open = (ev: MouseEvent): void => {
    if ((ev.target as Element | null)?.closest?.('a') !== null) return;
    location.hash = sessionHref(row.sessionId).slice(1);
  };
  const label = row.taskId !== undefined && row.taskId !== '' ? row.taskId : row.sessionId;
  return html`
    <tr class="row" data-session-id=${row.sessionId} data-state=${row.state} onClick=${open}>
      <td class="task" title=${row.sessionId}><a href=${sessionHref(row.sessionId)}>${label}</a></td>
      <td title=${row.charter ?? ''}>${row.charter ?? '—'}</td>
      <td>${row.priority ?? '—'}</td>
      <td>
        <${StateBadge} state=${row.state} />${row.needsApproval ? html` <${ApprovalBadge} />` : null}
      </td>
      <td class="num">${formatDuration(elapsedMs(row, now))}</td>
      <td class="num">${formatTokens(row.tokens)}</td>
      <td class="num">${formatCost(row.costUsd)}</td>
      <td class="num">${formatCount(row.commands)}</td>
      <td class="num">${formatCount(row.files)}</td>
      <td class="branch" title=${[row.branch, row.changes].filter(Boolean).join(' · ')}>
        ${row.branch ?? '—'}${row.changes ? html` <span class="muted">${row.changes}</span>` : null}
      </td>
    </tr>
  `;
}

function Placeholder() {
  return html`<tr class="row placeholder" aria-hidden="true"><td colspan="10">Loading…</td></tr>`;
}
