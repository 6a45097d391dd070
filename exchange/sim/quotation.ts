import { tickSize } from '../../core/market';
import {
  type BucketOf,
  type Candle,
  fixedBucket,
  kstString,
  monthBucket,
  parseUpbitTime,
  queryCandles,
  utcString,
  weekBucket,
  yearBucket,
} from './candles';
import type { Engine } from './engine';
import { quotationError } from './errors';
import type { Level, MarketState, MarketTrade } from './market-state';

/** Quotation REST: public market data, numbers as JSON numbers, errors with integer names. */
export interface QuotationContext {
  markets: Map<string, MarketState>;
  engine: Engine;
  now(): number;
}

const MINUTE_UNITS = [1, 3, 5, 10, 15, 30, 60, 240];
const DAY = 86_400_000;

const n8 = (x: number) => Number(x.toFixed(8));

function market(ctx: QuotationContext, q: URLSearchParams): MarketState {
  const code = q.get('market');
  if (!code) throw quotationError.missingParameter();
  const m = ctx.markets.get(code);
  if (!m) throw quotationError.codeNotFound();
  return m;
}

function marketList(ctx: QuotationContext, raw: string | null): MarketState[] {
  if (!raw) throw quotationError.missingParameter();
  const out = raw.split(',').map((c) => ctx.markets.get(c.trim()));
  if (out.some((m) => !m)) throw quotationError.codeNotFound();
  return out as MarketState[];
}

function intParam(q: URLSearchParams, name: string, def: number, max: number, min = 1): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return def;
  if (!/^-?\d+$/.test(raw)) throw quotationError.typeMismatch();
  const v = Number(raw);
  if (v < min || v > max) throw quotationError.invalidParameter();
  return v;
}

function toParam(ctx: QuotationContext, q: URLSearchParams): number {
  const raw = q.get('to');
  if (raw === null || raw === '') return ctx.now() + 1;
  const t = parseUpbitTime(raw);
  if (t === null) throw quotationError.invalidParameter();
  return t;
}

function candleBase(m: MarketState, c: Candle) {
  return {
    market: m.market,
    candle_date_time_utc: utcString(c.t),
    candle_date_time_kst: kstString(c.t),
    opening_price: c.o,
    high_price: c.h,
    low_price: c.l,
    trade_price: c.c,
    timestamp: c.last,
    candle_acc_trade_price: n8(c.q),
    candle_acc_trade_volume: n8(c.v),
  };
}

export function marketAll(ctx: QuotationContext, q: URLSearchParams) {
  const details = (q.get('is_details') ?? q.get('isDetails')) === 'true';
  return [...ctx.markets.values()].map((m) => {
    const row: Record<string, unknown> = {
      market: m.market,
      korean_name: m.spec.koreanName,
      english_name: m.spec.englishName,
    };
    if (details)
      row.market_event = {
        warning: m.spec.warning ?? false,
        caution: {
          PRICE_FLUCTUATIONS: false,
          TRADING_VOLUME_SOARING: false,
          DEPOSIT_AMOUNT_SOARING: false,
          GLOBAL_PRICE_DIFFERENCES: false,
          CONCENTRATION_OF_SMALL_ACCOUNTS: false,
        },
      };
    return row;
  });
}

export function candlesMinutes(ctx: QuotationContext, unitRaw: string, q: URLSearchParams) {
  const unit = Number(unitRaw);
  if (!MINUTE_UNITS.includes(unit)) throw quotationError.invalidParameter();
  const m = market(ctx, q);
  const count = intParam(q, 'count', 1, 200);
  const to = toParam(ctx, q);
  return queryCandles(m.layers, fixedBucket(unit * 60_000), unit * 60, to, count).map((c) => ({
    ...candleBase(m, c),
    unit,
  }));
}

export function candlesSeconds(ctx: QuotationContext, q: URLSearchParams) {
  const m = market(ctx, q);
  const count = intParam(q, 'count', 1, 200);
  const to = toParam(ctx, q);
  return queryCandles([m.secondLayer], fixedBucket(1000), 1, to, count).map((c) => candleBase(m, c));
}

export function candlesDays(ctx: QuotationContext, q: URLSearchParams) {
  const m = market(ctx, q);
  const count = intParam(q, 'count', 1, 200);
  const to = toParam(ctx, q);
  const converting = q.get('converting_price_unit') ?? q.get('convertingPriceUnit');
  const list = queryCandles(m.layers, fixedBucket(DAY), 86_400, to, count + 1);
  return list.slice(0, count).map((c, i) => {
    const prev = list[i + 1]?.c ?? c.o;
    const row: Record<string, unknown> = {
      ...candleBase(m, c),
      prev_closing_price: prev,
      change_price: n8(c.c - prev),
      change_rate: n8((c.c - prev) / prev),
    };
    if (converting) row.converted_trade_price = c.c;
    return row;
  });
}

export function candlesPeriod(ctx: QuotationContext, period: 'weeks' | 'months' | 'years', q: URLSearchParams) {
  const m = market(ctx, q);
  const count = intParam(q, 'count', 1, 200);
  const to = toParam(ctx, q);
  const bucket: BucketOf = period === 'weeks' ? weekBucket : period === 'months' ? monthBucket : yearBucket;
  return queryCandles(m.layers, bucket, 86_400, to, count).map((c) => ({
    ...candleBase(m, c),
    first_day_of_period: utcString(c.t).slice(0, 10),
  }));
}

function tradeJson(m: MarketState, t: MarketTrade) {
  const iso = new Date(t.timestamp).toISOString();
  return {
    market: m.market,
    trade_date_utc: iso.slice(0, 10),
    trade_time_utc: iso.slice(11, 19),
    timestamp: t.timestamp,
    trade_price: t.price,
    trade_volume: t.volume,
    prev_closing_price: m.day.prevClose,
    change_price: n8(t.price - m.day.prevClose),
    ask_bid: t.askBid,
    sequential_id: t.sequentialId,
  };
}

export function tradesTicks(ctx: QuotationContext, q: URLSearchParams) {
  const m = market(ctx, q);
  const count = intParam(q, 'count', 1, 500);
  const daysAgo = intParam(q, 'days_ago', 0, 7, 1);
  const cursorRaw = q.get('cursor');
  const cursor = cursorRaw ? Number(cursorRaw) : null;
  if (cursorRaw && !Number.isFinite(cursor)) throw quotationError.typeMismatch();
  const toRaw = q.get('to');
  let toMs: number | null = null;
  if (toRaw) {
    const mt = /^(\d{2}):?(\d{2}):?(\d{2})$/.exec(toRaw);
    if (!mt) throw quotationError.invalidParameter();
    const now = ctx.now();
    toMs = now - (now % DAY) - daysAgo * DAY + ((+mt[1] * 60 + +mt[2]) * 60 + +mt[3]) * 1000;
  }
  const out = [];
  const dayStart = ctx.now() - (ctx.now() % DAY) - daysAgo * DAY;
  for (let i = m.trades.length - 1; i >= 0 && out.length < count; i--) {
    const t = m.trades[i];
    if (cursor !== null && t.sequentialId >= cursor) continue;
    if (toMs !== null && t.timestamp >= toMs) continue;
    if (daysAgo > 0 && t.timestamp >= dayStart + DAY) continue;
    if (t.timestamp < dayStart && daysAgo > 0) break;
    out.push(tradeJson(m, t));
  }
  return out;
}

export function tickerJson(ctx: QuotationContext, m: MarketState) {
  const now = ctx.now();
  const d = m.day;
  const t = m.lastTrade;
  const ts = t?.timestamp ?? m.minuteLayer.candles[m.minuteLayer.candles.length - 1]?.last ?? now;
  const iso = new Date(ts).toISOString();
  const kst = new Date(ts + 9 * 3_600_000).toISOString();
  const change = m.last - d.prevClose;
  const r24 = m.rolling24h(now);
  return {
    market: m.market,
    trade_date: iso.slice(0, 10).replaceAll('-', ''),
    trade_time: iso.slice(11, 19).replaceAll(':', ''),
    trade_date_kst: kst.slice(0, 10).replaceAll('-', ''),
    trade_time_kst: kst.slice(11, 19).replaceAll(':', ''),
    trade_timestamp: ts,
    opening_price: d.open,
    high_price: d.high,
    low_price: d.low,
    trade_price: m.last,
    prev_closing_price: d.prevClose,
    change: change > 0 ? 'RISE' : change < 0 ? 'FALL' : 'EVEN',
    change_price: n8(Math.abs(change)),
    change_rate: n8(Math.abs(change) / d.prevClose),
    signed_change_price: n8(change),
    signed_change_rate: n8(change / d.prevClose),
    trade_volume: t?.volume ?? 0,
    acc_trade_price: n8(d.accPrice),
    acc_trade_price_24h: n8(r24.price),
    acc_trade_volume: n8(d.accVolume),
    acc_trade_volume_24h: n8(r24.volume),
    highest_52_week_price: m.high52w.price,
    highest_52_week_date: new Date(m.high52w.t).toISOString().slice(0, 10),
    lowest_52_week_price: m.low52w.price,
    lowest_52_week_date: new Date(m.low52w.t).toISOString().slice(0, 10),
    timestamp: now,
  };
}

export function ticker(ctx: QuotationContext, q: URLSearchParams) {
  return marketList(ctx, q.get('markets')).map((m) => tickerJson(ctx, m));
}

export function tickerAll(ctx: QuotationContext, q: URLSearchParams) {
  const quotes = (q.get('quote_currencies') ?? 'KRW').split(',').map((s) => s.trim());
  return [...ctx.markets.values()]
    .filter((m) => quotes.includes(m.market.split('-')[0]))
    .map((m) => tickerJson(ctx, m));
}

/**
 * The displayed book: the synthetic levels with simulator orders merged in at their prices. Synthetic
 * levels that would cross a resting simulator order on the other side are hidden, as that liquidity
 * would already have traded with it.
 */
export function displayBook(ctx: QuotationContext, m: MarketState, depth: number): { asks: Level[]; bids: Level[] } {
  const resting = ctx.engine.resting(m.market);
  const merge = (synthetic: Level[], orders: typeof resting.bids, side: 'ask' | 'bid', cap: number | null) => {
    const map = new Map<number, number>();
    for (const l of synthetic) {
      if (l.size <= 0) continue;
      if (cap !== null && (side === 'ask' ? l.price <= cap : l.price >= cap)) continue;
      map.set(l.price, (map.get(l.price) ?? 0) + l.size);
    }
    for (const o of orders) {
      const p = o.price!.toNumber();
      map.set(p, (map.get(p) ?? 0) + o.remainingVolume!.toNumber());
    }
    return [...map.entries()]
      .sort((a, b) => (side === 'ask' ? a[0] - b[0] : b[0] - a[0]))
      .slice(0, depth)
      .map(([price, size]) => ({ price, size: n8(size) }));
  };
  const bestUserBid = resting.bids[0]?.price?.toNumber() ?? null;
  const bestUserAsk = resting.asks[0]?.price?.toNumber() ?? null;
  return {
    asks: merge(m.asks, resting.asks, 'ask', bestUserBid),
    bids: merge(m.bids, resting.bids, 'bid', bestUserAsk),
  };
}

export function orderbookJson(ctx: QuotationContext, m: MarketState, depth: number) {
  const { asks, bids } = displayBook(ctx, m, depth);
  const units = [];
  for (let i = 0; i < Math.max(asks.length, bids.length); i++)
    units.push({
      ask_price: asks[i]?.price ?? 0,
      bid_price: bids[i]?.price ?? 0,
      ask_size: asks[i]?.size ?? 0,
      bid_size: bids[i]?.size ?? 0,
    });
  return {
    market: m.market,
    timestamp: ctx.now(),
    total_ask_size: n8(asks.reduce((s, l) => s + l.size, 0)),
    total_bid_size: n8(bids.reduce((s, l) => s + l.size, 0)),
    orderbook_units: units,
    level: 0,
  };
}

export function orderbook(ctx: QuotationContext, q: URLSearchParams) {
  const list = marketList(ctx, q.get('markets'));
  const level = q.get('level');
  if (level !== null && level !== '' && Number(level) !== 0) return [];
  const countRaw = Number(q.get('count') ?? 30);
  const depth = Number.isInteger(countRaw) && countRaw >= 1 && countRaw <= 30 ? countRaw : 30;
  return list.map((m) => orderbookJson(ctx, m, depth));
}

export function orderbookInstruments(ctx: QuotationContext, q: URLSearchParams) {
  return marketList(ctx, q.get('markets')).map((m) => ({
    market: m.market,
    quote_currency: 'KRW',
    tick_size: tickSize('KRW', m.last).toFixed(),
    supported_levels: ['0'],
  }));
}
