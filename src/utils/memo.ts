/**
 * Keeps what `read` returned for `key` during `ttlMs` (a promise is kept as it is, so concurrent callers
 * share one read; a rejected one is dropped at once). At most `maxEntries`: past that the cache starts over.
 */
export function ttlMemo<T>(ttlMs: number, maxEntries = 256): (key: string, read: () => T) => T {
  const kept = new Map<string, { atMs: number; value: T }>();
  return (key, read) => {
    const now = Date.now();
    const hit = kept.get(key);
    if (hit && now - hit.atMs < ttlMs) return hit.value;
    const value = read();
    if (kept.size >= maxEntries) kept.clear();
    kept.set(key, { atMs: now, value });
    if (value instanceof Promise) {
      value.catch(() => {
        if (kept.get(key)?.value === value) kept.delete(key);
      });
    }
    return value;
  };
}
