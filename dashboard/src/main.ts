// The dashboard's entry: checks the session (401 → login form only), loads the lists, follows the daemon's
// event stream, and routes between the overview and one session (#/session/<id>).
import { html, render } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { api, errorText, HttpError, onUnauthorized, openStream } from './api.js';
import { useRoute } from './hooks.js';
import { applyPage, emptyList, findRow, pagesToFetch, resetWithPage, upsertRow, type SparseList } from './sessionList.js';
import type { Approval, DaemonStatus, Fleet, SessionRow } from './types.js';
import { ApprovalsView } from './views/approvals.js';
import { FleetView } from './views/fleet.js';
import { Header, type Live } from './views/header.js';
import { LoginView } from './views/login.js';
import { ClusterView } from './views/cluster.js';
import { QueueView } from './views/queue.js';
import { SessionPage } from './views/session.js';
import { SessionsView } from './views/sessions.js';

const PAGE = 200;
const FLEET_MIN_INTERVAL = 2000;

function App() {
  const [auth, setAuth] = useState<'checking' | 'in' | 'out'>('checking');
  const [authError, setAuthError] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState<DaemonStatus | undefined>(undefined);
  const [statusAt, setStatusAt] = useState(0);
  const [approvals, setApprovals] = useState<Approval[] | undefined>(undefined);
  const [approvalsError, setApprovalsError] = useState<string | undefined>(undefined);
  const [list, setList] = useState<SparseList<SessionRow>>(emptyList);
  const [listLoading, setListLoading] = useState(true);
  const [listError, setListError] = useState<string | undefined>(undefined);
  const [fleet, setFleet] = useState<Fleet | undefined>(undefined);
  const [fleetError, setFleetError] = useState<string | undefined>(undefined);
  const [live, setLive] = useState<Live>('connecting');
  const route = useRoute();

  const listRef = useRef(list);
  listRef.current = list;
  const asked = useRef(new Map<number, number>());
  const fleetAt = useRef(0);
  const fleetTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => onUnauthorized(() => setAuth('out')), []);

  const takeStatus = useCallback((s: DaemonStatus) => {
    setStatus(s);
    setStatusAt(Date.now());
  }, []);

  const loadFleet = useCallback(() => {
    fleetAt.current = Date.now();
    api.fleet().then(
      (f) => {
        setFleet(f);
        setFleetError(undefined);
      },
      (err: unknown) => setFleetError(`Fleet figures: ${errorText(err)}`),
    );
  }, []);

  /** Refreshes the fleet figures, at most every few seconds. */
  const refreshFleet = useCallback(() => {
    if (fleetTimer.current !== undefined) return;
    const wait = Math.max(0, fleetAt.current + FLEET_MIN_INTERVAL - Date.now());
    fleetTimer.current = setTimeout(() => {
      fleetTimer.current = undefined;
      loadFleet();
    }, wait);
  }, [loadFleet]);
  useEffect(() => () => clearTimeout(fleetTimer.current), []);

  /** (Re)loads everything: status, approvals, the first sessions page, the fleet figures. */
  const loadAll = useCallback((reset: boolean) => {
    api.status().then(takeStatus, () => undefined);
    api.approvals().then(
      (a) => {
        setApprovals(Array.isArray(a) ? a : []);
        setApprovalsError(undefined);
      },
      (err: unknown) => setApprovalsError(`Approvals: ${errorText(err)}`),
    );
    setListLoading(true);
    asked.current = new Map([[0, -1]]);
    const shiftAtRequest = listRef.current.shift;
    api.sessionsPage(0, PAGE).then(
      (page) => {
        const first = { total: page?.total ?? 0, rows: page?.rows ?? [] };
        // A reconnect starts over (rows may have changed unseen); the first load keeps rows that arrived live.
        const next = reset ? resetWithPage<SessionRow>(first) : applyPage(listRef.current, 0, first, shiftAtRequest);
        asked.current = new Map([[0, next.shift]]);
        listRef.current = next;
        setList(next);
        setListError(undefined);
        setListLoading(false);
      },
      (err: unknown) => {
        asked.current = new Map();
        setListError(`Sessions: ${errorText(err)}`);
        setListLoading(false);
      },
    );
    loadFleet();
  }, [takeStatus, loadFleet]);

  // The first check: without a login only the form shows (and no /v1 call is made, so no 401 is logged);
  // should `GET /login` not answer, a 401 from the status shows it as well.
  useEffect(() => {
    api
      .loginState()
      .then((s) => s?.loggedIn, () => undefined)
      .then((loggedIn) => (loggedIn === false ? setAuth('out') : checkStatus()), checkStatus);
  }, []);

  const checkStatus = (): void => {
    api.status().then(
      (s) => {
        takeStatus(s);
        setAuth('in');
      },
      (err: unknown) => {
        if (!(err instanceof HttpError && err.status === 401)) setAuthError(errorText(err));
      },
    );
  };

  useEffect(() => {
    if (auth !== 'in') return;
    loadAll(false);
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stream: { close(): void } | undefined;
    const connect = (): void => {
      stream = openStream('/v1/events', {
        onOpen: (reconnected) => {
          setLive('live');
          if (reconnected) loadAll(true);
        },
        onError: (closed) => {
          setLive('down');
          if (!closed) return;
          stream?.close();
          // The browser gave up (e.g. a 401 or a restart): a status probe shows the login form on 401.
          api.status().then(
            (s) => {
              takeStatus(s);
              retry = setTimeout(() => {
                connect();
                loadAll(true);
              }, 3000);
            },
            () => {
              retry = setTimeout(connect, 5000);
            },
          );
        },
        events: {
          session: (data) => {
            const row = data as SessionRow;
            if (typeof row?.sessionId !== 'string') return;
            const prev = findRow(listRef.current, row.sessionId);
            if (prev?.state !== row.state) refreshFleet();
            setList((l) => upsertRow(l, row));
          },
          approvals: (data) => {
            if (Array.isArray(data)) setApprovals(data as Approval[]);
          },
          status: (data) => {
            if (typeof data === 'object' && data !== null) takeStatus(data);
          },
        },
      });
    };
    connect();
    return () => {
      if (retry !== undefined) clearTimeout(retry);
      stream?.close();
    };
  }, [auth]);

  const onRange = useCallback((start: number, end: number) => {
    const current = listRef.current;
    for (const p of pagesToFetch(current, start, end, PAGE, asked.current)) {
      const shift = current.shift;
      asked.current.set(p, shift);
      api.sessionsPage(p * PAGE, PAGE).then(
        (page) => setList((l) => applyPage(l, p * PAGE, { total: page?.total ?? l.total, rows: page?.rows ?? [] }, shift)),
        (err: unknown) => {
          asked.current.delete(p);
          setListError(`Sessions: ${errorText(err)}`);
        },
      );
    }
  }, []);

  if (auth === 'out') return html`<${LoginView} />`;
  if (auth === 'checking') {
    return html`<main class="login">
      ${authError
        ? html`<p class="error" role="alert">The daemon is not answering: ${authError}</p>
            <button type="button" onClick=${() => location.reload()}>Retry</button>`
        : html`<p class="loading">Loading…</p>`}
    </main>`;
  }
  const liveRow = route.name === 'session' ? findRow(list, route.id) : undefined;
  return html`
    <${Header} status=${status} live=${live} />
    ${route.name === 'session'
      ? html`<${SessionPage} key=${route.id} id=${route.id} liveRow=${liveRow} />`
      : html`<main class="overview">
          <div class="two">
            <${ApprovalsView} approvals=${approvals} error=${approvalsError} />
            <${QueueView} status=${status} statusAt=${statusAt} />
          </div>
          <${ClusterView} cluster=${status?.fleet} statusAt=${statusAt} />
          <${SessionsView} list=${list} loading=${listLoading} error=${listError} onRange=${onRange} />
          <${FleetView} fleet=${fleet} error=${fleetError} status=${status} />
        </main>`}
  `;
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
