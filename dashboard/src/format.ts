// Pure formatting helpers (no DOM): durations, money, token counts, relative times, state tones.

const DASH = '—';

const isNum = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** A compact duration: "0s", "45s", "3m 05s", "2h 04m", "3d 4h". */
export function formatDuration(ms: unknown): string {
  if (!isNum(ms) || ms < 0) return DASH;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** A relative span in words, for "waited 2 min": "12 s", "2 min", "3 h 5 min", "2 d 3 h". */
export function formatSpan(ms: unknown): string {
  if (!isNum(ms)) return DASH;
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

export function formatWaited(ms: unknown): string {
  return isNum(ms) ? `waited ${formatSpan(ms)}` : DASH;
}

/** The time since an ISO instant, as "waited …", measured at `now`. */
export function waitedSince(iso: unknown, now: number): string {
  const t = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? DASH : formatWaited(now - t);
}

/** US dollars: "$0.00", "$0.0042", "$0.12", "$12.34", "$1,234". */
export function formatCost(usd: unknown): string {
  if (!isNum(usd)) return DASH;
  if (usd === 0) return '$0.00';
  const abs = Math.abs(usd);
  const sign = usd < 0 ? '-' : '';
  if (abs >= 1000) return `${sign}$${Math.round(abs).toLocaleString('en-US')}`;
  if (abs >= 0.1) return `${sign}$${abs.toFixed(2)}`;
  if (abs >= 0.001) return `${sign}$${abs.toFixed(4).replace(/0+$/, '').replace(/\.$/, '.00')}`;
  return `${sign}<$0.001`;
}

/** Token counts: "950", "12.3k", "1.23M" (3 significant figures at most). */
export function formatTokens(n: unknown): string {
  if (!isNum(n)) return DASH;
  if (Math.abs(n) < 1000) return String(Math.round(n));
  const units = ['k', 'M', 'B', 'T'];
  let v = n / 1000;
  let u = 0;
  for (;;) {
    const digits = Math.abs(v) < 10 ? 2 : Math.abs(v) < 100 ? 1 : 0;
    const text = v.toFixed(digits);
    if (Math.abs(Number(text)) < 1000 || u === units.length - 1) return `${trim(text)}${units[u] ?? ''}`;
    v /= 1000;
    u++;
  }
}

const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);

export function formatCount(n: unknown): string {
  return isNum(n) ? Math.round(n).toLocaleString('en-US') : DASH;
}

export function formatPercent(ratio: unknown): string {
  return isNum(ratio) ? `${Math.round(ratio * 100)}%` : DASH;
}

/** A local date-time for an ISO string or epoch ms, or "—". */
export function formatTime(at: unknown): string {
  const t = typeof at === 'string' ? Date.parse(at) : isNum(at) ? at : NaN;
  if (Number.isNaN(t)) return DASH;
  const d = new Date(t);
  const pad = (v: number): string => String(v).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const RUNNING = new Set(['starting', 'running']);

export function isRunning(state: unknown): boolean {
  return typeof state === 'string' && RUNNING.has(state);
}

export interface TimedRow {
  state: string;
  startedAt?: string;
  endedAt?: string;
  runningMs?: number;
}

/** How long a session has run: ticking from `startedAt` while it runs, fixed once it ended. */
export function elapsedMs(row: TimedRow, now: number): number | undefined {
  const start = typeof row.startedAt === 'string' ? Date.parse(row.startedAt) : NaN;
  if (isRunning(row.state) && !Number.isNaN(start)) return Math.max(0, now - start);
  if (isNum(row.runningMs)) return row.runningMs;
  const end = typeof row.endedAt === 'string' ? Date.parse(row.endedAt) : NaN;
  if (!Number.isNaN(start) && !Number.isNaN(end)) return Math.max(0, end - start);
  return undefined;
}

export type Tone = 'live' | 'ok' | 'bad' | 'warn' | 'muted';

export function stateTone(state: unknown): Tone {
  switch (state) {
    case 'starting':
    case 'running':
      return 'live';
    case 'completed':
      return 'ok';
    case 'failed':
    case 'crashed':
    case 'timeout':
      return 'bad';
    case 'terminated':
    case 'cancelled':
      return 'warn';
    default:
      return 'muted';
  }
}

/** What a tool call acts on, in one line: its command, its path, or its input as JSON (clipped). */
export function describeInput(input: unknown, max = 300): string {
  if (input === undefined || input === null) return '';
  if (typeof input === 'string') return clip(input, max);
  if (typeof input === 'object') {
    const o = input as Record<string, unknown>;
    for (const key of ['command', 'file_path', 'path', 'url', 'pattern']) {
      const v = o[key];
      if (typeof v === 'string' && v !== '') return clip(v, max);
    }
  }
  return clip(safeJson(input), max);
}

/** The long-input mark: a person asked to approve must be told to read all of it. */
export const LONG_INPUT_CHARS = 300;

/**
 * Everything a tool call would act on, unclipped, for a person deciding on it: its command or path, then every
 * other field as JSON (a Write's content, say); `long` when there is more than one line or LONG_INPUT_CHARS.
 */
export function fullInput(input: unknown): { main: string; rest?: string; long: boolean } {
  const o = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : undefined;
  const key = o && ['command', 'file_path', 'path', 'url', 'pattern'].find((k) => typeof o[k] === 'string' && o[k] !== '');
  const main = key && o ? String(o[key]) : typeof input === 'string' ? input : safeJson(input, 2);
  const others = key && o ? Object.fromEntries(Object.entries(o).filter(([k]) => k !== key)) : undefined;
  const rest = others && Object.keys(others).length > 0 ? safeJson(others, 2) : undefined;
  const text = `${main}${rest ?? ''}`;
  return { main, ...(rest !== undefined && { rest }), long: text.length > LONG_INPUT_CHARS || main.includes('\n') };
}

export function safeJson(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent) ?? String(value);
  } catch {
    return String(value);
  }
}

export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}
