// Small hooks: a ticking clock and the hash route.
import { useEffect, useState } from 'preact/hooks';

/** The current time, refreshed every `intervalMs` (for running times and "waited …"). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export type Route = { name: 'home' } | { name: 'session'; id: string };

export function parseRoute(hash: string): Route {
  const m = /^#\/session\/(.+)$/.exec(hash);
  if (m?.[1] !== undefined) {
    try {
      return { name: 'session', id: decodeURIComponent(m[1]) };
    } catch {
      return { name: 'session', id: m[1] };
    }
  }
  return { name: 'home' };
}

export const sessionHref = (id: string): string => `#/session/${encodeURIComponent(id)}`;

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return route;
}
