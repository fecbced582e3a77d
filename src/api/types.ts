import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** One event of a followed session: an output chunk, a parsed stream message, a call the guard refused, or its end. */
export interface SessionEvent {
  type: 'output' | 'message' | 'blocked' | 'ended';
  data: unknown;
}

/** One event of the whole daemon's feed (`GET /v1/events`). */
export interface FeedEvent {
  type: string;
  data: unknown;
}

/**
 * What the control API needs of the daemon. The API does not know the daemon class; anything with
 * these methods can be served. Methods throw `VpDaemonError`s, which the API maps to HTTP statuses.
 */
export interface ControlBackend {
  /** Admits a `TriageRequest`; throws a `ConfigError` (→ 400) when it is invalid, other errors by code. */
  submit(request: unknown): Promise<{ requestId: string; priority: string }>;
  listSessions(filter: { state?: string; limit?: number }): unknown[];
  /** A page of session rows, newest first: `{ total, rows }`. */
  sessionsPage(page: { offset: number; limit: number }): unknown;
  /** What the dashboard shows of one session (row, charter, outcome, crashes, attempts), or `undefined` (→ 404). */
  sessionView(sessionId: string): Promise<unknown>;
  /** Sessions by state, cumulative tokens and cost over time, crash classes, recoveries. */
  fleet(): unknown;
  /** Calls onEvent with every feed event until the returned function is called. */
  subscribe(onEvent: (event: FeedEvent) => void): () => void;
  /** The session, or `undefined` (→ 404 ERR_SESSION_NOT_FOUND); the type is `unknown | undefined`. */
  getSession(sessionId: string): unknown;
  /**
   * Calls onEvent for each output chunk / parsed message / end of a session until the returned function
   * is called. Existing output first (the tail), then live. `undefined` → 404.
   */
  followSession(sessionId: string, onEvent: (event: SessionEvent) => void): (() => void) | undefined;
  listApprovals(): unknown[];
  /** false → 404. */
  approve(approvalId: string): boolean | Promise<boolean>;
  /** false → 404. */
  deny(approvalId: string, reason?: string): boolean | Promise<boolean>;
  /** false → 404. */
  cancel(requestId: string, terminate: boolean): boolean | Promise<boolean>;
  /** false → 404. */
  terminate(sessionId: string): Promise<boolean>;
  drain(timeoutMs: number): Promise<void>;
  /** Pool status and daemon info (with the fleet's nodes when in a fleet). */
  status(): unknown;
  /** The newest requests of the daemon's fleet, with the node of each ([] outside a fleet). */
  fleetRequests(limit: number): Promise<unknown[]>;
  /** Pool, spawner and recovery metrics as JSON. */
  metrics(): unknown;
}

/** Options of {@link createControlServer}. */
export interface ControlServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** The bearer token every route but `GET /openapi.json` requires. */
  token: string;
  /** Request logging (the authorization header is redacted); false for none. Default: the package logger. */
  logger?: Logger | false;
  /** Served as Prometheus text on `GET /metrics`. */
  metricsRegistry: Registry;
  /** The built dashboard served at `/`. @default dist/dashboard of this package */
  dashboardDir?: string;
}

/** A control server, built but not listening until `listen()`. */
export interface ControlServer {
  readonly app: FastifyInstance;
  listen(): Promise<{ url: string }>;
  close(): Promise<void>;
}
