// The simulator's Upbit REST routes: method and path -> rate-limit group, whether the request must be signed,
// and the handler (quotation.ts for public data, exchange-api.ts for accounts and orders).
import type { Account } from './engine';
import * as ex from './exchange-api';
import { legacyOrders } from './legacy-orders';
import * as qt from './quotation';
import type { RateGroup } from './rate-limit';

export type Handler = (req: SimRequest) => unknown;
export interface Route {
  group: RateGroup;
  auth: boolean;
  handler: Handler;
  status?: number;
}
export interface SimRequest {
  query: URLSearchParams;
  body: Record<string, unknown>;
  account: Account | null;
  params: string[];
}

/** Every REST route the simulator answers, bound to its market and exchange state. */
export function upbitRoutes(qctx: qt.QuotationContext, ectx: ex.ExchangeContext): Map<string, Route> {
  const routes = new Map<string, Route>();
  const get = (path: string, group: RateGroup, auth: boolean, handler: Handler, status?: number) =>
    routes.set(`GET ${path}`, { group, auth, handler, status });
  get('/v1/market/all', 'market', false, (r) => qt.marketAll(qctx, r.query));
  get('/v1/candles/minutes/:unit', 'candle', false, (r) => qt.candlesMinutes(qctx, r.params[0], r.query));
  get('/v1/candles/seconds', 'candle', false, (r) => qt.candlesSeconds(qctx, r.query));
  get('/v1/candles/days', 'candle', false, (r) => qt.candlesDays(qctx, r.query));
  get('/v1/candles/weeks', 'candle', false, (r) => qt.candlesPeriod(qctx, 'weeks', r.query));
  get('/v1/candles/months', 'candle', false, (r) => qt.candlesPeriod(qctx, 'months', r.query));
  get('/v1/candles/years', 'candle', false, (r) => qt.candlesPeriod(qctx, 'years', r.query));
  get('/v1/trades/ticks', 'trade', false, (r) => qt.tradesTicks(qctx, r.query));
  get('/v1/ticker', 'ticker', false, (r) => qt.ticker(qctx, r.query));
  get('/v1/ticker/all', 'ticker', false, (r) => qt.tickerAll(qctx, r.query));
  get('/v1/orderbook', 'orderbook', false, (r) => qt.orderbook(qctx, r.query));
  get('/v1/orderbook/instruments', 'orderbook', false, (r) => qt.orderbookInstruments(qctx, r.query));
  get('/v1/accounts', 'default', true, (r) => ex.accounts(ectx, r.account!));
  get('/v1/orders/chance', 'default', true, (r) => ex.chance(ectx, r.account!, r.query));
  get('/v1/order', 'default', true, (r) => ex.getOrder(ectx, r.account!, r.query));
  get('/v1/orders/open', 'default', true, (r) => ex.openOrders(ectx, r.account!, r.query));
  get('/v1/orders/closed', 'default', true, (r) => ex.closedOrders(ectx, r.account!, r.query));
  get('/v1/orders/uuids', 'default', true, (r) => ex.ordersByIds(ectx, r.account!, r.query));
  get('/v1/orders', 'default', true, (r) => legacyOrders(r.account!, r.query));
  routes.set('POST /v1/orders', {
    group: 'order',
    auth: true,
    status: 201,
    handler: (r) => ex.createOrder(ectx, r.account!, r.body),
  });
  routes.set('POST /v1/orders/test', {
    group: 'order-test',
    auth: true,
    status: 201,
    handler: (r) => ex.createOrder(ectx, r.account!, r.body, true),
  });
  routes.set('POST /v1/orders/cancel_and_new', {
    group: 'order',
    auth: true,
    status: 201,
    handler: (r) => ex.cancelAndNew(ectx, r.account!, r.body),
  });
  routes.set('DELETE /v1/order', {
    group: 'default',
    auth: true,
    handler: (r) => ex.cancelOrder(ectx, r.account!, r.query),
  });
  routes.set('DELETE /v1/orders/uuids', {
    group: 'default',
    auth: true,
    handler: (r) => ex.cancelByIds(ectx, r.account!, r.query),
  });
  routes.set('DELETE /v1/orders/open', {
    group: 'order-cancel-all',
    auth: true,
    handler: (r) => ex.cancelOpen(ectx, r.account!, r.query),
  });

  return routes;
}

/** The route of a request: exact paths, and the one path with a parameter (the minute candles' unit). */
export function findRoute(
  routes: Map<string, Route>,
  method: string,
  path: string,
): { route: Route; params: string[] } | null {
  const direct = routes.get(`${method} ${path}`);
  if (direct) return { route: direct, params: [] };
  const m = /^\/v1\/candles\/minutes\/([^/]+)$/.exec(path);
  if (m && method === 'GET') return { route: routes.get('GET /v1/candles/minutes/:unit')!, params: [m[1]] };
  return null;
}
