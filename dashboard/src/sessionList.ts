// The sessions list as the page holds it (pure): a sparse, newest-first array of `total` slots that pages
// fill as the user scrolls, and that live rows update in place or push down from the top.
//
// `shift` counts the rows inserted at the top since the list was made: a page requested before such an
// insert lands that many slots further down.

export interface Keyed {
  sessionId: string;
  startedAt?: string;
}

export interface SparseList<R extends Keyed> {
  rows: (R | undefined)[];
  total: number;
  shift: number;
}

export function emptyList<R extends Keyed>(): SparseList<R> {
  return { rows: [], total: 0, shift: 0 };
}

/** Places a page fetched at `offset` when the list's shift was `shiftAtRequest`. */
export function applyPage<R extends Keyed>(
  list: SparseList<R>,
  offset: number,
  page: { total: number; rows: readonly R[] },
  shiftAtRequest: number,
): SparseList<R> {
  const delta = Math.max(0, list.shift - shiftAtRequest);
  const total = Math.max(0, Math.floor(page.total) + delta, offset + delta + page.rows.length);
  const rows = list.rows.slice(0, total);
  page.rows.forEach((row, k) => {
    const at = offset + delta + k;
    const other = rows.findIndex((r) => r?.sessionId === row.sessionId);
    if (other !== -1 && other !== at) rows[other] = undefined;
    rows[at] = row;
  });
  return { rows, total, shift: list.shift };
}

/** The result of a fresh first page (e.g. after a reconnect): older slots are fetched again when seen. */
export function resetWithPage<R extends Keyed>(page: { total: number; rows: readonly R[] }): SparseList<R> {
  return applyPage(emptyList<R>(), 0, page, 0);
}

/**
 * Upserts a live row: an id the list holds is replaced in place; a new id goes on top and adds one to
 * `total`. A new id older than the newest loaded row, while some slots are still unloaded, is left for its
 * page to bring (it is most likely an update of a row further down, not a new session).
 */
export function upsertRow<R extends Keyed>(list: SparseList<R>, row: R): SparseList<R> {
  const at = list.rows.findIndex((r) => r?.sessionId === row.sessionId);
  if (at !== -1) {
    const rows = list.rows.slice();
    rows[at] = row;
    return { ...list, rows };
  }
  const newest = list.rows[0];
  const hasHoles = list.rows.length < list.total || list.rows.includes(undefined);
  if (hasHoles && newest !== undefined && isOlder(row, newest)) return list;
  return { rows: [row, ...list.rows], total: list.total + 1, shift: list.shift + 1 };
}

function isOlder(a: Keyed, b: Keyed): boolean {
  const ta = Date.parse(a.startedAt ?? '');
  const tb = Date.parse(b.startedAt ?? '');
  return !Number.isNaN(ta) && !Number.isNaN(tb) && ta < tb;
}

export function findRow<R extends Keyed>(list: SparseList<R>, sessionId: string): R | undefined {
  return list.rows.find((r) => r?.sessionId === sessionId);
}

/**
 * The pages to fetch for rows start..end-1: those with an unloaded slot, skipping pages already asked for
 * at the current shift (`asked` maps page → shift when requested; this also covers in-flight requests).
 */
export function pagesToFetch<R extends Keyed>(
  list: SparseList<R>,
  start: number,
  end: number,
  pageSize: number,
  asked: ReadonlyMap<number, number>,
): number[] {
  const pages: number[] = [];
  const last = Math.min(end, list.total);
  for (let p = Math.floor(start / pageSize); p * pageSize < last; p++) {
    if (asked.get(p) === list.shift) continue;
    const from = Math.max(start, p * pageSize);
    const to = Math.min(last, (p + 1) * pageSize);
    for (let i = from; i < to; i++) {
      if (list.rows[i] === undefined) {
        pages.push(p);
        break;
      }
    }
  }
  return pages;
}
