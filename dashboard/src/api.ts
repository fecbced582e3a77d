// The daemon's HTTP API from the browser: JSON fetches (the session cookie goes along by itself), POSTs
// with a JSON body, and EventSource streams that never throw into the console.
import type { Approval, ClusterRequest, DaemonStatus, Fleet, SessionPage, SessionView } from './types.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

let unauthorizedHandler: () => void = () => undefined;

/** Called whenever any request answers 401: the app then shows only the login form. */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

// The login's key: the server redirects to `/#k=<key>` after a login; the tab keeps it (a server on another port of
// this host gets the cookie but never the key). It is sent with every call; an EventSource carries it in its query.
const KEY_ITEM = 'vp-login-key';
function takeKeyFromFragment(): void {
  const found = /(?:^#|&)k=([\w-]+)/.exec(location.hash)?.[1];
  if (found === undefined) return;
  try {
    sessionStorage.setItem(KEY_ITEM, found);
  } catch {
    // No storage: the key lives for this page only.
    memoryKey = found;
  }
  history.replaceState(null, '', `${location.pathname}${location.search}`);
}
let memoryKey: string | undefined;
const loginKey = (): string => {
  try {
    return sessionStorage.getItem(KEY_ITEM) ?? memoryKey ?? '';
  } catch {
    return memoryKey ?? '';
  }
};
takeKeyFromFragment();

/** `url` with the login key in its query, for an EventSource (which cannot send headers). */
export const withKey = (url: string): string => `${url}${url.includes('?') ? '&' : '?'}k=${encodeURIComponent(loginKey())}`;

async function request<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    const headers = { accept: 'application/json', 'x-vp-key': loginKey(), ...(init?.headers as Record<string, string> | undefined) };
    res = await fetch(url, { credentials: 'same-origin', ...init, headers });
  } catch {
    throw new HttpError(0, 'ERR_NETWORK', 'The daemon is not reachable.');
  }
  const text = await res.text().catch(() => '');
  let body: unknown = undefined;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (res.status === 401) {
    unauthorizedHandler();
    throw new HttpError(401, 'ERR_UNAUTHORIZED', 'Not logged in.');
  }
  if (!res.ok) {
    const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const code = typeof b['code'] === 'string' ? b['code'] : undefined;
    const message = typeof b['message'] === 'string' ? b['message'] : `${res.status} ${res.statusText}`.trim();
    throw new HttpError(res.status, code, message);
  }
  return body as T;
}

export const getJson = <T>(url: string): Promise<T> => request<T>(url);

export function postJson<T = unknown>(url: string, body: unknown = {}): Promise<T> {
  return request<T>(url, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
}

const enc = encodeURIComponent;

export const api = {
  /** `GET /login` → `{ loggedIn }`: asked first, so a browser without a login never gets (and logs) a 401. */
  loginState: () => getJson<{ loggedIn?: unknown }>('/login'),
  status: () => getJson<DaemonStatus>('/v1/status'),
  fleetRequests: () => getJson<ClusterRequest[]>('/v1/fleet/requests?limit=100'),
  sessionsPage: (offset: number, limit: number) =>
    getJson<SessionPage>(`/v1/sessions/page?offset=${offset}&limit=${limit}`),
  sessionView: (id: string) => getJson<SessionView>(`/v1/sessions/${enc(id)}/view`),
  approvals: () => getJson<Approval[]>('/v1/approvals'),
  approve: (id: string) => postJson(`/v1/approvals/${enc(id)}/approve`, {}),
  deny: (id: string, reason?: string) =>
    postJson(`/v1/approvals/${enc(id)}/deny`, reason !== undefined && reason !== '' ? { reason } : {}),
  terminate: (sessionId: string) => postJson(`/v1/sessions/${enc(sessionId)}/terminate`, {}),
  cancel: (requestId: string) => postJson(`/v1/requests/${enc(requestId)}/cancel`, { terminate: true }),
  fleet: () => getJson<Fleet>('/v1/fleet'),
  sessionEventsUrl: (id: string) => `/v1/sessions/${enc(id)}/events`,
  logout: () => postJson('/logout', {}),
};

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : 'Something went wrong.';
}

export interface StreamOptions {
  /** Event name → handler of its parsed data (raw text when it is not JSON). */
  events: Record<string, (data: unknown) => void>;
  onOpen?: (reconnected: boolean) => void;
  /** `closed`: the browser gave up (an HTTP error such as 401); otherwise it retries by itself. */
  onError?: (closed: boolean) => void;
}

export interface Stream {
  close(): void;
}

/** An EventSource whose handlers' failures are contained; it reports open/error instead of throwing. */
export function openStream(url: string, opts: StreamOptions): Stream {
  if (typeof EventSource === 'undefined') {
    opts.onError?.(true);
    return { close: () => undefined };
  }
  let source: EventSource;
  try {
    source = new EventSource(withKey(url), { withCredentials: true });
  } catch {
    opts.onError?.(true);
    return { close: () => undefined };
  }
  let opened = false;
  let closed = false;
  source.addEventListener('open', () => {
    if (closed) return;
    safe(() => opts.onOpen?.(opened));
    opened = true;
  });
  source.addEventListener('error', () => {
    if (closed) return;
    safe(() => opts.onError?.(source.readyState === EventSource.CLOSED));
  });
  for (const [name, handler] of Object.entries(opts.events)) {
    source.addEventListener(name, (ev: Event) => {
      if (closed || !(ev instanceof MessageEvent)) return;
      const raw: unknown = ev.data;
      let data: unknown = raw;
      if (typeof raw === 'string') {
        try {
          data = JSON.parse(raw);
        } catch {
          data = raw;
        }
      }
      safe(() => handler(data));
    });
  }
  return {
    close() {
      closed = true;
      source.close();
    },
  };
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // A malformed event must not break the page (nor log an error); the next event or refetch recovers.
  }
}
