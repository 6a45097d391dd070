import { useSyncExternalStore } from 'react';

// Hash routes keep the dashboard a static bundle: the API serves index.html at `/` and never
// needs to know the dashboard's paths.
export type Route =
  | { page: 'overview' }
  | { page: 'session'; id: string }
  | { page: 'orders'; sessionId?: string }
  | { page: 'chart'; market?: string; timeframe?: string; sessionId?: string }
  | { page: 'backtests'; id?: string }
  | { page: 'not-found'; path: string };

/** Reads `#/sessions/abc`, `#/chart?market=KRW-BTC` and the like. */
export function parseRoute(hash: string): Route {
  const [rawPath, rawQuery = ''] = hash.replace(/^#/, '').split('?');
  const parts = rawPath.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(rawQuery);
  const opt = (key: string) => query.get(key) || undefined;
  switch (parts[0]) {
    case undefined:
      return { page: 'overview' };
    case 'sessions':
      return parts[1] ? { page: 'session', id: parts[1] } : { page: 'overview' };
    case 'orders':
      return { page: 'orders', sessionId: opt('sessionId') };
    case 'chart':
      return { page: 'chart', market: opt('market'), timeframe: opt('timeframe'), sessionId: opt('sessionId') };
    case 'backtests':
      return { page: 'backtests', id: parts[1] };
    default:
      return { page: 'not-found', path: rawPath };
  }
}

/** The `#/...` link for a route. */
export function routeHref(route: Route): string {
  const withQuery = (path: string, query: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    const qs = params.toString();
    return `#${path}${qs ? `?${qs}` : ''}`;
  };
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'session':
      return `#/sessions/${encodeURIComponent(route.id)}`;
    case 'orders':
      return withQuery('/orders', { sessionId: route.sessionId });
    case 'chart':
      return withQuery('/chart', { market: route.market, timeframe: route.timeframe, sessionId: route.sessionId });
    case 'backtests':
      return route.id ? `#/backtests/${encodeURIComponent(route.id)}` : '#/backtests';
    case 'not-found':
      return `#${route.path}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
