// The windowing math of the sessions list (pure): which rows to render for a scroll position, and the
// heights of the spacers around them, with fixed-height rows.

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  total: number;
  /** Rows rendered beyond each edge of the viewport. */
  overscan?: number;
}

export interface RowWindow {
  /** The first rendered index. */
  start: number;
  /** One past the last rendered index. */
  end: number;
  padTop: number;
  padBottom: number;
}

export function computeWindow({ scrollTop, viewportHeight, rowHeight, total, overscan = 8 }: WindowInput): RowWindow {
  const count = Math.max(0, Math.floor(total));
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const top = Math.max(0, Number.isFinite(scrollTop) ? scrollTop : 0);
  const height = Math.max(rowHeight, Number.isFinite(viewportHeight) ? viewportHeight : 0);
  const first = Math.min(count - 1, Math.floor(top / rowHeight));
  const last = Math.min(count, Math.ceil((top + height) / rowHeight));
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, Math.max(last, first + 1) + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight };
}

/** The pages (index = offset / pageSize) that hold rows start..end-1. */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start || pageSize <= 0) return [];
  const pages: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return pages;
}
