import { describe, expect, it } from 'vitest';
import { parseRoute, type Route, routeHref } from './routing';

describe('hash routes', () => {
  it('reads each page from its hash', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute('#/')).toEqual({ page: 'overview' });
    expect(parseRoute('#/sessions/s-1')).toEqual({ page: 'session', id: 's-1' });
    expect(parseRoute('#/orders?sessionId=abc')).toEqual({ page: 'orders', sessionId: 'abc' });
    expect(parseRoute('#/chart?market=KRW-ETH&timeframe=day')).toEqual({
      page: 'chart',
      market: 'KRW-ETH',
      timeframe: 'day',
      sessionId: undefined,
    });
    expect(parseRoute('#/backtests/bt%2F7')).toEqual({ page: 'backtests', id: 'bt/7' });
    expect(parseRoute('#/nope')).toEqual({ page: 'not-found', path: '/nope' });
  });

  it('writes links that read back as the same route', () => {
    const routes: Route[] = [
      { page: 'overview' },
      { page: 'session', id: 'a b/c' },
      { page: 'orders', sessionId: 'x' },
      { page: 'chart', market: 'KRW-BTC', timeframe: 'minute5', sessionId: 's' },
      { page: 'backtests', id: 'r1' },
      { page: 'backtests', id: undefined },
    ];
    for (const route of routes) {
      const back = parseRoute(routeHref(route));
      for (const [key, value] of Object.entries(route)) {
        expect(back[key as keyof typeof back]).toBe(value);
      }
    }
  });

  it('leaves empty query values out of links', () => {
    expect(routeHref({ page: 'orders' })).toBe('#/orders');
    expect(routeHref({ page: 'chart', market: 'KRW-BTC' })).toBe('#/chart?market=KRW-BTC');
  });
});
