import { createMemoryHistory } from '@tanstack/react-router';
import { describe, expect, it } from 'vitest';
import { createAppRouter } from './router';

/** The route a path lands on, with its params and search, as the router matches it. */
async function land(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  await router.load();
  const match = router.state.matches.at(-1);
  return {
    routeId: match?.routeId,
    params: match?.params,
    search: match?.search,
    // Only the root matched: the root's not-found page shows.
    notFound: match?.routeId === '__root__',
  };
}

describe('dashboard routes', () => {
  it('reads each page from the links the dashboard has always used', async () => {
    expect((await land('/')).routeId).toBe('/');
    expect(await land('/sessions/s-1')).toMatchObject({ routeId: '/sessions/$id', params: { id: 's-1' } });
    expect((await land('/sessions/new')).routeId).toBe('/sessions/new');
    expect(await land('/orders?sessionId=abc')).toMatchObject({ routeId: '/orders', search: { sessionId: 'abc' } });
    expect(await land('/chart?market=KRW-ETH&timeframe=day')).toMatchObject({
      routeId: '/chart',
      search: { market: 'KRW-ETH', timeframe: 'day', sessionId: undefined },
    });
    expect(await land('/backtests/bt%2F7')).toMatchObject({ routeId: '/backtests/$id', params: { id: 'bt/7' } });
    expect((await land('/backtests')).routeId).toBe('/backtests');
    expect((await land('/nope')).notFound).toBe(true);
  });

  it('keeps search values as text (an all-digit session id stays a string)', async () => {
    expect((await land('/orders?sessionId=0123456789')).search).toEqual({ sessionId: '0123456789' });
    expect((await land('/orders?sessionId=')).search).toEqual({ sessionId: undefined });
  });

  it('writes links that read back as the same route, leaving empty values out', async () => {
    const router = createAppRouter(createMemoryHistory({ initialEntries: ['/'] }));
    expect(router.buildLocation({ to: '/orders', search: { sessionId: undefined } }).href).toBe('/orders');
    expect(router.buildLocation({ to: '/chart', search: { market: 'KRW-BTC' } }).href).toBe('/chart?market=KRW-BTC');
    expect(router.buildLocation({ to: '/sessions/$id', params: { id: 'a b/c' } }).href).toBe('/sessions/a%20b%2Fc');
    expect(await land('/sessions/a%20b%2Fc')).toMatchObject({ params: { id: 'a b/c' } });
  });
});
