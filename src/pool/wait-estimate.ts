/**
 * Expected wait of each queued position, in ms. Pure. Position p waits for the (p+1)-th slot to free:
 * free slots first, then running sessions in the order they are expected to finish (each expected to take
 * `avgSessionMs`, and an overdue one a tenth of that at least), then whole waves of `avgSessionMs`.
 */
export function estimateWaits(input: {
  queued: number;
  capacity: number;
  runningElapsedMs: readonly number[];
  /** Slots reserved for spawns in flight (they will run a full session). */
  starting: number;
  avgSessionMs: number;
}): number[] {
  const { capacity, avgSessionMs: avg } = input;
  const remaining = [
    ...input.runningElapsedMs.map((elapsed) => Math.max(avg - elapsed, avg * 0.1)),
    ...Array.from({ length: input.starting }, () => avg),
  ].sort((a, b) => a - b);
  const free = Math.max(0, capacity - remaining.length);
  const waits: number[] = [];
  for (let p = 0; p < input.queued; p++) {
    if (p < free) {
      waits.push(0);
      continue;
    }
    const q = p - free;
    const wave = Math.floor(q / Math.max(1, capacity));
    const slot = remaining[q % Math.max(1, capacity)] ?? avg;
    waits.push(Math.round(slot + wave * avg));
  }
  return waits;
}
