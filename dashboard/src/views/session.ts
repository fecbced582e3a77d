// One session: its figures, outcome, workspace, charter, the streaming conversation and output tail,
// crash analyses and recovery attempts, and Terminate / Cancel while it runs.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, errorText, HttpError, openStream } from '../api.js';
import {
  appendItems,
  appendTail,
  emptyConversation,
  itemFromBlocked,
  itemsFromMessage,
  outputChunk,
  type Conversation,
} from '../conversation.js';
import { isRunning, safeJson } from '../format.js';
import type { SessionRow, SessionView } from '../types.js';
import { ErrorNote, StateBadge } from './badge.js';
import { ConversationView, CrashesView, AttemptsView, FiguresView, WorkspaceView } from './session-parts.js';

export function SessionPage({ id, liveRow }: { id: string; liveRow: SessionRow | undefined }) {
  const [view, setView] = useState<SessionView | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [reload, setReload] = useState(0);
  const [conv, setConv] = useState<Conversation>(emptyConversation);
  const [tail, setTail] = useState({ text: '', truncated: false });
  const [ended, setEnded] = useState<unknown>(undefined);
  const [streamState, setStreamState] = useState<'connecting' | 'live' | 'down' | 'ended'>('connecting');

  useEffect(() => {
    let gone = false;
    api.sessionView(id).then(
      (v) => {
        if (gone) return;
        setView(v);
        setLoadError(undefined);
      },
      (err: unknown) => {
        if (gone) return;
        setLoadError(err instanceof HttpError && err.status === 404 ? `No session ${id}.` : errorText(err));
      },
    );
    return () => {
      gone = true;
    };
  }, [id, reload]);

  useEffect(() => {
    setConv(emptyConversation());
    setTail({ text: '', truncated: false });
    setEnded(undefined);
    setStreamState('connecting');
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stream: { close(): void } | undefined;
    let done = false;
    const connect = (): void => {
      stream = openStream(api.sessionEventsUrl(id), {
        // The server sends the existing output first, so a (re)connection starts from empty.
        onOpen: () => {
          setConv(emptyConversation());
          setTail({ text: '', truncated: false });
          setStreamState('live');
        },
        onError: (closed) => {
          if (done) return;
          setStreamState('down');
          if (closed) {
            stream?.close();
            // A 401 here shows the login form (via the view fetch); otherwise try again shortly.
            api.sessionView(id).then(
              () => {
                retry = setTimeout(connect, 5000);
              },
              () => undefined,
            );
          }
        },
        events: {
          output: (data) => setTail((t) => appendTail(t.text, outputChunk(data))),
          message: (data) => setConv((c) => appendItems(c, itemsFromMessage(data))),
          blocked: (data) => setConv((c) => appendItems(c, itemFromBlocked(data))),
          ended: (data) => {
            done = true;
            stream?.close();
            setEnded(data ?? {});
            setStreamState('ended');
            setReload((n) => n + 1);
          },
        },
      });
    };
    connect();
    return () => {
      done = true;
      if (retry !== undefined) clearTimeout(retry);
      stream?.close();
    };
  }, [id]);

  const row = liveRow ?? view?.row;
  return html`
    <main class="session-page">
      <p><a href="#/" class="back">← All sessions</a></p>
      <h1 class="session-title">
        ${row?.taskId ?? id} ${row ? html`<${StateBadge} state=${row.state} />` : null}
        ${row?.needsApproval ? html`<span class="badge tone-attn">needs approval</span>` : null}
      </h1>
      ${row?.taskId ? html`<p class="muted mono">${id}</p>` : null}
      <${ErrorNote} error=${loadError} />
      ${row === undefined && loadError === undefined ? html`<p class="empty">Loading session…</p>` : null}
      ${row ? html`<${Controls} row=${row} />` : null}
      ${row ? html`<${FiguresView} row=${row} />` : null}
      <${Outcome} view=${view} row=${row} ended=${ended} />
      ${view?.workspace ? html`<${WorkspaceView} ws=${view.workspace} />` : null}
      ${typeof view?.charter === 'string' && view.charter !== ''
        ? html`<details class="card charter"><summary>Charter${row?.charter ? ` (${row.charter})` : ''}</summary><pre>${view.charter}</pre></details>`
        : null}
      <${ConversationView} conv=${conv} streamState=${streamState} />
      <section class="card" aria-labelledby="output-h">
        <h2 id="output-h">Output ${tail.truncated ? html`<span class="muted">(last 200 KB)</span>` : null}</h2>
        <pre class="output" data-testid="output" tabindex="0" aria-label="Session output">${tail.text}</pre>
        ${tail.text === '' ? html`<p class="empty">No output yet</p>` : null}
      </section>
      <${CrashesView} crashes=${view?.crashes} />
      <${AttemptsView} attempts=${view?.attempts} current=${id} />
    </main>
  `;
}

function Controls({ row }: { row: SessionRow }) {
  const [busy, setBusy] = useState<'terminate' | 'cancel' | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [sent, setSent] = useState<string | undefined>(undefined);
  if (!isRunning(row.state)) return null;
  const run = async (what: 'terminate' | 'cancel'): Promise<void> => {
    setBusy(what);
    setError(undefined);
    try {
      if (what === 'terminate') await api.terminate(row.sessionId);
      else if (row.requestId !== undefined) await api.cancel(row.requestId);
      setSent(what === 'terminate' ? 'Terminate sent.' : 'Cancel sent.');
    } catch (err) {
      setError(`Could not ${what}: ${errorText(err)}`);
    } finally {
      setBusy(undefined);
    }
  };
  return html`
    <div class="actions controls">
      <button type="button" class="danger" disabled=${busy !== undefined} onClick=${() => void run('terminate')}>Terminate</button>
      ${row.requestId
        ? html`<button type="button" class="secondary" disabled=${busy !== undefined} onClick=${() => void run('cancel')}>Cancel</button>`
        : null}
      ${sent ? html`<span class="muted">${sent}</span>` : null}
      <${ErrorNote} error=${error} />
    </div>
  `;
}

function Outcome({ view, row, ended }: { view: SessionView | undefined; row: SessionRow | undefined; ended: unknown }) {
  const reason = view?.outcome?.reason;
  const outcome = row?.outcome;
  const endedObj = typeof ended === 'object' && ended !== null ? (ended as Record<string, unknown>) : undefined;
  const endedText =
    ended === undefined || reason !== undefined || outcome !== undefined
      ? undefined
      : typeof ended === 'string'
        ? ended
        : [endedObj?.['state'], endedObj?.['outcome'], endedObj?.['reason']].filter((v) => typeof v === 'string').join(' · ') ||
          safeJson(ended);
  if (!reason && !outcome && !view?.resultText && !view?.errorMessage && !endedText) return null;
  return html`
    <section class="card" aria-labelledby="outcome-h">
      <h2 id="outcome-h">Outcome</h2>
      ${outcome ? html`<p><strong>${outcome}</strong></p>` : null}
      ${reason ? html`<p><span class="muted">Reason:</span> ${reason}</p>` : null}
      ${endedText ? html`<p>Ended: ${endedText}</p>` : null}
      ${view?.errorMessage ? html`<pre class="error-box">${view.errorMessage}</pre>` : null}
      ${view?.resultText ? html`<pre class="result">${view.resultText}</pre>` : null}
    </section>
  `;
}
