import { type Balance, balanceJson, Dec, fmt } from './accounts';
import { type Account, type Engine, MIN_TOTAL_KRW } from './engine';
import { exchangeError } from './errors';
import { orderJson, type SimOrder } from './orders';
import { positiveIntParam } from './request-params';

/** Exchange REST handlers (authenticated): decimals as strings, string error names. */
export interface ExchangeContext {
  engine: Engine;
  now(): number;
  /** Lookup-lag fault: how long a new order stays invisible to lookups (ms; default 0). */
  lookupLagMs?(): number;
}

/** Whether lookups see the order yet (a new order is invisible for `lookupLagMs`, as if unknown). */
function visible(ctx: ExchangeContext, o: SimOrder): boolean {
  const lag = ctx.lookupLagMs?.() ?? 0;
  return lag <= 0 || ctx.now() - o.createdAt >= lag;
}

const WEEK = 7 * 86_400_000;

export function accounts(ctx: ExchangeContext, acc: Account) {
  return ctx.engine.accountRows(acc).map(balanceJson);
}

export function chance(ctx: ExchangeContext, acc: Account, q: URLSearchParams) {
  const market = q.get('market');
  if (!market) throw exchangeError.validation();
  if (!ctx.engine.markets.has(market)) throw exchangeError.notFoundMarket();
  const [quote, coin] = market.split('-');
  const row = (b: Balance) => balanceJson(b);
  const fee = fmt(ctx.engine.feeRate);
  return {
    bid_fee: fee,
    ask_fee: fee,
    maker_bid_fee: fee,
    maker_ask_fee: fee,
    market: {
      id: market,
      name: `${coin}/${quote}`,
      order_types: ['limit'],
      order_sides: ['ask', 'bid'],
      bid_types: ['best_fok', 'best_ioc', 'limit', 'limit_fok', 'limit_ioc', 'price'],
      ask_types: ['best_fok', 'best_ioc', 'limit', 'limit_fok', 'limit_ioc', 'market'],
      bid: { currency: quote, min_total: MIN_TOTAL_KRW.toFixed() },
      ask: { currency: coin, min_total: MIN_TOTAL_KRW.toFixed() },
      max_total: '1000000000',
      state: 'active',
    },
    bid_account: row(ctx.engine.balance(acc, quote)),
    ask_account: row(ctx.engine.balance(acc, coin)),
  };
}

function orderBy(q: URLSearchParams): 'asc' | 'desc' {
  const v = q.get('order_by') ?? 'desc';
  if (v !== 'asc' && v !== 'desc') throw exchangeError.validation();
  return v;
}

function sortOrders(list: SimOrder[], dir: 'asc' | 'desc'): SimOrder[] {
  return list.sort((a, b) => (dir === 'asc' ? a.seq - b.seq : b.seq - a.seq));
}

export function getOrder(ctx: ExchangeContext, acc: Account, q: URLSearchParams) {
  const uuid = q.get('uuid') ?? undefined;
  const identifier = q.get('identifier') ?? undefined;
  if (!uuid && identifier === undefined) throw exchangeError.validation();
  const o = ctx.engine.findOrder(acc, uuid, identifier);
  if (!o || !visible(ctx, o)) throw exchangeError.orderNotFound();
  return orderJson(o, true);
}

export function openOrders(ctx: ExchangeContext, acc: Account, q: URLSearchParams) {
  const market = q.get('market');
  const states = q.getAll('states[]');
  const state = q.get('state');
  if (state && states.length) throw exchangeError.validation();
  const wanted = states.length ? states : [state ?? 'wait'];
  if (wanted.some((s) => s !== 'wait' && s !== 'watch')) throw exchangeError.validation();
  const page = positiveIntParam(q, 'page', 1, 1_000_000);
  const limit = positiveIntParam(q, 'limit', 100, 100);
  const list = [...acc.orders.values()].filter(
    (o) => wanted.includes(o.state) && (!market || o.market === market) && visible(ctx, o),
  );
  return sortOrders(list, orderBy(q))
    .slice((page - 1) * limit, page * limit)
    .map((o) => orderJson(o));
}

function timeParam(raw: string | null): number | null {
  if (raw === null || raw === '') return null;
  if (/^\d+$/.test(raw)) return Number(raw);
  const t = Date.parse(raw);
  // Offsets are required in practice; a raw '+' decoded as a space makes the value invalid, as on Upbit.
  if (Number.isNaN(t) || raw.includes(' ')) throw exchangeError.validation();
  return t;
}

export function closedOrders(ctx: ExchangeContext, acc: Account, q: URLSearchParams) {
  const market = q.get('market');
  const states = q.getAll('states[]');
  const state = q.get('state');
  if (state && states.length) throw exchangeError.validation();
  const wanted = states.length ? states : state ? [state] : ['done', 'cancel'];
  if (wanted.some((s) => s !== 'done' && s !== 'cancel')) throw exchangeError.validation();
  const limit = positiveIntParam(q, 'limit', 100, 1000);
  let start = timeParam(q.get('start_time'));
  let end = timeParam(q.get('end_time'));
  if (start === null && end === null) {
    end = ctx.now();
    start = end - WEEK;
  } else if (start === null) start = end! - WEEK;
  else if (end === null) end = Math.min(start + WEEK, ctx.now());
  if (end! - start > WEEK || end! < start) throw exchangeError.validation();
  const list = [...acc.orders.values()].filter(
    (o) =>
      wanted.includes(o.state) &&
      (!market || o.market === market) &&
      o.createdAt >= start! &&
      o.createdAt <= end! &&
      visible(ctx, o),
  );
  return sortOrders(list, orderBy(q))
    .slice(0, limit)
    .map((o) => orderJson(o));
}

function idsOf(q: URLSearchParams, max: number): { uuids: string[]; identifiers: string[] } {
  const uuids = q.getAll('uuids[]');
  const identifiers = q.getAll('identifiers[]');
  if ((uuids.length && identifiers.length) || (!uuids.length && !identifiers.length)) throw exchangeError.validation();
  if (uuids.length > max || identifiers.length > max) throw exchangeError.validation();
  return { uuids, identifiers };
}

export function ordersByIds(ctx: ExchangeContext, acc: Account, q: URLSearchParams) {
  const { uuids, identifiers } = idsOf(q, 100);
  const market = q.get('market');
  const found = (uuids.length ? uuids.map((u) => acc.orders.get(u)) : identifiers.map((i) => acc.byIdentifier.get(i)))
    .filter((o): o is SimOrder => !!o && visible(ctx, o))
    .filter((o) => !market || o.market === market);
  return sortOrders(found, orderBy(q)).map((o) => orderJson(o));
}

export function cancelOrder(ctx: ExchangeContext, acc: Account, q: URLSearchParams) {
  const uuid = q.get('uuid') ?? undefined;
  const identifier = q.get('identifier') ?? undefined;
  if (!uuid && identifier === undefined) throw exchangeError.validation();
  const o = ctx.engine.findOrder(acc, uuid, identifier);
  if (!o) throw exchangeError.orderNotFound();
  if (o.state !== 'wait' && o.state !== 'watch') throw exchangeError.orderNotFound();
  // Upbit answers with the order as it stood when the cancel was accepted (still `wait`).
  const accepted = orderJson(o);
  ctx.engine.requestCancel(o);
  return accepted;
}

function cancelMany(ctx: ExchangeContext, orders: Array<{ ref: string; order: SimOrder | undefined }>) {
  const success: Array<Record<string, unknown>> = [];
  const failed: Array<Record<string, unknown>> = [];
  for (const { ref, order } of orders) {
    if (order && (order.state === 'wait' || order.state === 'watch')) {
      ctx.engine.requestCancel(order);
      success.push({
        uuid: order.uuid,
        market: order.market,
        ...(order.identifier !== undefined ? { identifier: order.identifier } : {}),
      });
    } else
      failed.push({
        uuid: order?.uuid ?? ref,
        market: order?.market,
        ...(order?.identifier !== undefined ? { identifier: order.identifier } : {}),
      });
  }
  return { success: { count: success.length, orders: success }, failed: { count: failed.length, orders: failed } };
}

export function cancelByIds(ctx: ExchangeContext, acc: Account, q: URLSearchParams) {
  const { uuids, identifiers } = idsOf(q, 20);
  const list = uuids.length
    ? uuids.map((u) => ({ ref: u, order: acc.orders.get(u) }))
    : identifiers.map((i) => ({ ref: i, order: acc.byIdentifier.get(i) }));
  return cancelMany(ctx, list);
}

export function cancelOpen(ctx: ExchangeContext, acc: Account, q: URLSearchParams) {
  const side = q.get('cancel_side') ?? 'all';
  if (!['all', 'bid', 'ask'].includes(side)) throw exchangeError.validation();
  const pairs = q.get('pairs')?.split(',').filter(Boolean) ?? [];
  const quotes = q.get('quote_currencies')?.split(',').filter(Boolean) ?? [];
  if (pairs.length && quotes.length) throw exchangeError.validation();
  const excluded = (q.get('excluded_pairs') ?? q.get('exclude_pairs'))?.split(',').filter(Boolean) ?? [];
  if (pairs.length > 20 || excluded.length > 20) throw exchangeError.validation();
  const count = positiveIntParam(q, 'count', 20, 300);
  const list = [...acc.orders.values()].filter(
    (o) =>
      o.state === 'wait' &&
      (side === 'all' || o.side === side) &&
      (!pairs.length || pairs.includes(o.market)) &&
      (!quotes.length || quotes.includes(o.market.split('-')[0])) &&
      !excluded.includes(o.market),
  );
  return cancelMany(
    ctx,
    sortOrders(list, orderBy(q))
      .slice(0, count)
      .map((o) => ({ ref: o.uuid, order: o })),
  );
}

export function createOrder(ctx: ExchangeContext, acc: Account, body: Record<string, unknown>, test = false) {
  return orderJson(ctx.engine.create(acc, body, { test }));
}

/** Cancels an order and places its replacement (same market and side) in one request. */
export function cancelAndNew(ctx: ExchangeContext, acc: Account, body: Record<string, unknown>) {
  const uuid = typeof body.prev_order_uuid === 'string' ? body.prev_order_uuid : undefined;
  const identifier = typeof body.prev_order_identifier === 'string' ? body.prev_order_identifier : undefined;
  if (!uuid && identifier === undefined) throw exchangeError.validation();
  if (typeof body.new_ord_type !== 'string') throw exchangeError.validation();
  const prev = ctx.engine.findOrder(acc, uuid, identifier);
  if (!prev) throw exchangeError.orderNotFound();
  if (body.new_identifier !== undefined && body.new_identifier === prev.identifier)
    throw exchangeError.duplicatedIdentifier();
  const accepted = orderJson(prev);
  const wasOpen = prev.state === 'wait';
  if (!wasOpen) throw exchangeError.orderNotFound();
  // Refused before anything changes: the old order must not be cancelled for a replacement that cannot be placed.
  if (ctx.engine.offlineMarkets.has(prev.market)) throw exchangeError.marketOffline();
  const remaining = prev.remainingVolume ? new Dec(prev.remainingVolume) : null;
  ctx.engine.cancel(prev);
  const volume = body.new_volume === 'remain_only' ? remaining?.toFixed() : body.new_volume;
  const next: Record<string, unknown> = { market: prev.market, side: prev.side, ord_type: body.new_ord_type };
  if (volume !== undefined) next.volume = volume;
  if (body.new_price !== undefined) next.price = body.new_price;
  if (body.new_identifier !== undefined) next.identifier = body.new_identifier;
  if (body.new_time_in_force !== undefined) next.time_in_force = body.new_time_in_force;
  if (body.new_smp_type !== undefined) next.smp_type = body.new_smp_type;
  const created = ctx.engine.create(acc, next);
  return {
    ...accepted,
    new_order_uuid: created.uuid,
    ...(created.identifier !== undefined ? { new_order_identifier: created.identifier } : {}),
  };
}
