// The fleet's record of each request, fenced: every start of a request takes a token that only grows (one INCR per
// request), and a write is applied only when it carries the current token. A node that lost its lease (stalled,
// partitioned, killed and restarted) writes with an old token, and Redis refuses it atomically (a Lua script).
import type { Redis } from 'ioredis';
import { fleetPrefix } from './identity.js';

/** The right to run one request: `token` is the request's fencing token at its start. */
export interface FleetLease {
  readonly requestId: string;
  readonly token: number;
  readonly node: string;
}

/** What the fleet knows of one request (the newest attempt's figures). */
export interface FleetRequestRecord {
  requestId: string;
  state: string;
  node?: string;
  token?: number;
  attempts: number;
  sessionId?: string;
  claudeSessionId?: string;
  branch?: string;
  headCommit?: string;
  /** Bytes of the mirrored transcript of `claudeSessionId`. */
  transcriptBytes?: number;
  error?: string;
  updatedAt?: number;
}

/** One start of a request on a node. */
export interface FleetAttempt {
  token: number;
  node: string;
  startedAt: number;
}

// KEYS: fence, record; ARGV: token, then field/value pairs. 1 when written, 0 when the token is not the current one.
const FENCED_HSET = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], unpack(ARGV, 2))
return 1`;

// KEYS: fence, transcript, record; ARGV: token, offset, chunk. The new length; -1 for an old token; -2 when `offset`
// is not where the mirror ends (the caller sends the whole file again from 0).
const FENCED_APPEND = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local length = 0
if tonumber(ARGV[2]) == 0 then
  redis.call('SET', KEYS[2], ARGV[3])
  length = string.len(ARGV[3])
else
  if redis.call('STRLEN', KEYS[2]) ~= tonumber(ARGV[2]) then return -2 end
  length = redis.call('APPEND', KEYS[2], ARGV[3])
end
redis.call('HSET', KEYS[3], 'transcriptBytes', length)
return length`;

// KEYS: fence, record, attempts, index; ARGV: requestId, node, now. In one step: the record as it was, a new token,
// and (unless the request ended: completed, failed, cancelled, terminated) the record marked running under it with
// the attempt listed.
const ACQUIRE = `local previous = redis.call('HGETALL', KEYS[2])
local token = redis.call('INCR', KEYS[1])
local state = redis.call('HGET', KEYS[2], 'state')
if state ~= 'completed' and state ~= 'failed' and state ~= 'cancelled' and state ~= 'terminated' then
  redis.call('HSET', KEYS[2], 'requestId', ARGV[1], 'state', 'running', 'node', ARGV[2], 'token', token, 'attempts', token, 'updatedAt', ARGV[3])
  redis.call('HDEL', KEYS[2], 'error')
  redis.call('RPUSH', KEYS[3], '{"token":' .. token .. ',"node":' .. cjson.encode(ARGV[2]) .. ',"startedAt":' .. ARGV[3] .. '}')
  redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
end
return {token, previous}`;

const NUMBERS = new Set(['token', 'attempts', 'transcriptBytes', 'updatedAt']);

/** The fleet's fenced record of requests, their attempts and their mirrored transcripts. */
export class FleetLedger {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, fleetName: string) {
    this.#redis = redis;
    this.#prefix = fleetPrefix(fleetName);
  }

  #key(kind: string, requestId: string): string {
    return `${this.#prefix}:ledger:${kind}:${requestId}`;
  }

  /**
   * Takes a new lease on `requestId` for `node`: the token grows, so every earlier holder's writes are refused from
   * now on. `previous` is the record as it was at that instant (read in the same script): a request an earlier
   * holder ended stays as it ended.
   */
  async acquire(requestId: string, node: string): Promise<{ lease: FleetLease; previous: FleetRequestRecord | undefined }> {
    const keys = [this.#key('fence', requestId), this.#key('req', requestId), this.#key('attempts', requestId), `${this.#prefix}:ledger:index`];
    const [token, raw] = (await this.#redis.eval(ACQUIRE, keys.length, ...keys, requestId, node, Date.now())) as [number, string[]];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < raw.length; i += 2) fields[raw[i]!] = raw[i + 1]!;
    const previous = raw.length === 0 ? undefined : parseRecord(fields);
    return { lease: { requestId, token, node }, previous };
  }

  /** Writes `fields` when `lease` still holds the request; false when a newer lease took it (nothing is written). */
  async write(lease: FleetLease, fields: Partial<Omit<FleetRequestRecord, 'requestId' | 'token' | 'node' | 'attempts'>>): Promise<boolean> {
    const pairs = Object.entries({ ...fields, updatedAt: Date.now() }).flatMap(([key, value]) => (value === undefined ? [] : [key, String(value)]));
    const written = await this.#redis.eval(FENCED_HSET, 2, this.#key('fence', lease.requestId), this.#key('req', lease.requestId), lease.token, ...pairs);
    return written === 1;
  }

  /** Whether `lease` is still the request's newest (no other node took it since). */
  async holds(lease: FleetLease): Promise<boolean> {
    return (await this.#redis.get(this.#key('fence', lease.requestId))) === String(lease.token);
  }

  /**
   * Mirrors transcript bytes: `chunk` goes at `offset` (0 replaces the whole mirror). The mirror's new length, or
   * 'fenced' when a newer lease holds the request, or 'gap' when the mirror does not end at `offset`.
   */
  async appendTranscript(lease: FleetLease, claudeSessionId: string, offset: number, chunk: Buffer): Promise<number | 'fenced' | 'gap'> {
    const keys = [this.#key('fence', lease.requestId), this.#key('transcript', `${lease.requestId}:${claudeSessionId}`), this.#key('req', lease.requestId)];
    const result = Number(await this.#redis.eval(FENCED_APPEND, 3, ...keys, lease.token, offset, chunk));
    return result === -1 ? 'fenced' : result === -2 ? 'gap' : result;
  }

  /** The mirrored transcript of a request's conversation, or undefined when none was mirrored. */
  async transcript(requestId: string, claudeSessionId: string): Promise<Buffer | undefined> {
    return (await this.#redis.getBuffer(this.#key('transcript', `${requestId}:${claudeSessionId}`))) ?? undefined;
  }

  /** The fleet's record of one request, or undefined when no node started it. */
  async get(requestId: string): Promise<FleetRequestRecord | undefined> {
    const raw = await this.#redis.hgetall(this.#key('req', requestId));
    return Object.keys(raw).length === 0 ? undefined : parseRecord(raw);
  }

  /** Every start of a request, oldest first. */
  async attempts(requestId: string): Promise<FleetAttempt[]> {
    return (await this.#redis.lrange(this.#key('attempts', requestId), 0, -1)).map((text) => JSON.parse(text) as FleetAttempt);
  }

  /** The newest `limit` requests any node started, newest first. */
  async list(limit = 200): Promise<FleetRequestRecord[]> {
    const ids = await this.#redis.zrevrange(`${this.#prefix}:ledger:index`, 0, limit - 1);
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.#key('req', id));
    const found = (await pipeline.exec()) ?? [];
    return found.flatMap(([, raw]) => (raw && Object.keys(raw).length > 0 ? [parseRecord(raw as Record<string, string>)] : []));
  }
}

function parseRecord(raw: Record<string, string>): FleetRequestRecord {
  const record: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(raw)) record[key] = NUMBERS.has(key) ? Number(value) : value;
  return { attempts: 0, ...record } as unknown as FleetRequestRecord;
}
