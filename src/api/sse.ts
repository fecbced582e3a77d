import type { ServerResponse } from 'node:http';

/** Comment lines are sent this often, so proxies and clients keep an idle stream open. */
export const HEARTBEAT_MS = 15_000;
/** A client that lets this much pile up unread is cut off rather than held in memory. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface EventStreamOptions {
  /** Called once when the stream closes, whichever side closed it. */
  onClose: () => void;
  /** @default HEARTBEAT_MS */
  heartbeatMs?: number;
  /** @default MAX_BUFFERED_BYTES */
  maxBufferedBytes?: number;
}

/** A server-sent-events stream on a raw response the framework no longer touches. */
export interface EventStream {
  /** Sends `event: <event>` with `data: <json>`; ignored once closed. */
  send(event: string, data: unknown): void;
  /** Ends the response; idempotent. */
  close(): void;
  readonly closed: boolean;
}

/** Writes the SSE headers at once (no buffering) and returns the stream. */
export function openEventStream(raw: ServerResponse, options: EventStreamOptions): EventStream {
  const maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  let closed = false;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no', // nginx and friends: do not buffer
  });
  raw.socket?.setNoDelay?.(true);
  raw.flushHeaders();
  const heartbeat = setInterval(() => write(`: heartbeat ${Date.now()}\n\n`), options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  const finish = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    options.onClose();
  };
  const write = (text: string): void => {
    if (closed || raw.writableEnded || raw.destroyed) return;
    raw.write(text);
    if (raw.writableLength > maxBuffered) raw.destroy(); // a stuck reader; 'close' follows
  };
  raw.once('close', finish);
  raw.once('error', finish);
  write(': connected\n\n');

  return {
    send(event, data) {
      // JSON never holds a raw newline, so one data line per event is enough.
      write(`event: ${event.replace(/[\r\n]/g, '')}\ndata: ${toJson(data)}\n\n`);
    },
    close() {
      if (!raw.writableEnded && !raw.destroyed) raw.end();
      finish();
    },
    get closed() {
      return closed;
    },
  };
}

function toJson(data: unknown): string {
  try {
    return JSON.stringify(data) ?? 'null';
  } catch {
    return JSON.stringify({ error: 'the event data cannot be shown as JSON' });
  }
}
