import { ConfigError, DuplicateRequestError, PoolDrainingError, QueueFullError, RequestCancelledError } from '../session/errors.js';
import { isPriority, PRIORITIES } from '../session/priority.js';
import type { SessionRequest } from './types.js';

/** What admission looks at. */
export interface AdmissionState {
  draining: boolean;
  /** Whether a request with this id is queued, starting, running or waiting for a retry. */
  known(requestId: string): boolean;
  queueSize: number;
  maxQueueSize: number;
  /** Whether a new request would have to wait (no free slot, a queue, or paused admissions). */
  mustWait: boolean;
}

/** Why a request is refused (a typed error), or undefined when it is admitted. Pure. */
export function refusal(request: SessionRequest, state: AdmissionState): Error | undefined {
  const { requestId } = request;
  if (typeof requestId !== 'string' || requestId === '') {
    return new ConfigError([{ field: 'requestId', message: 'must be a non-empty string', value: requestId }]);
  }
  if (!isPriority(request.priority)) {
    return new ConfigError([{ field: 'priority', message: `must be one of ${PRIORITIES.join(', ')}`, value: request.priority }]);
  }
  if (state.draining) return new PoolDrainingError(requestId);
  if (state.known(requestId)) return new DuplicateRequestError(requestId);
  if (request.signal?.aborted) return new RequestCancelledError(requestId);
  // Full means it would have to wait and no place is left; a request that can start at once is admitted.
  if (state.mustWait && state.queueSize >= state.maxQueueSize) return new QueueFullError(requestId, state.maxQueueSize);
  return undefined;
}

/** Admissions paused until a time (a rate limit): `resume` runs when the pause is over. */
export class AdmissionPause {
  untilMs = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #resume: () => void;

  constructor(resume: () => void) {
    this.#resume = resume;
  }

  // Read at every admission: the clock only while a pause was ever set.
  get active(): boolean {
    return this.untilMs !== 0 && Date.now() < this.untilMs;
  }

  /** Extends the pause to `untilMs` (epoch ms); an earlier time changes nothing. */
  until(untilMs: number): void {
    if (untilMs <= this.untilMs) return;
    this.untilMs = untilMs;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#resume, Math.max(0, untilMs - Date.now()));
    this.#timer.unref();
  }

  close(): void {
    clearTimeout(this.#timer);
  }
}
