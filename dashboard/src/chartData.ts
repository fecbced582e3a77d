// Builds uPlot's aligned data from the fleet's cumulative series (pure): x in epoch seconds, sorted,
// one point per instant (the last wins), non-finite values dropped.

export interface SeriesPoint {
  t: number;
  tokens: number;
  costUsd: number;
}

export type Aligned = [xs: number[], tokens: number[], cost: number[]];

export function buildSeries(points: readonly SeriesPoint[] | undefined): Aligned {
  const byT = new Map<number, SeriesPoint>();
  for (const p of points ?? []) {
    if (typeof p !== 'object' || p === null) continue;
    if (![p.t, p.tokens, p.costUsd].every((v) => typeof v === 'number' && Number.isFinite(v))) continue;
    byT.set(p.t, p);
  }
  const sorted = [...byT.values()].sort((a, b) => a.t - b.t);
  return [sorted.map((p) => p.t / 1000), sorted.map((p) => p.tokens), sorted.map((p) => p.costUsd)];
}

/** Sorted `[key, count]` pairs of a count record, largest first, non-numbers dropped. */
export function countEntries(record: Record<string, number> | undefined): [string, number][] {
  return Object.entries(record ?? {})
    .filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
