import type { Balance } from './accounts';
import { type BucketOf, type Candle, fixedBucket, kstString, queryCandles, utcString } from './candles';
import type { MarketState, MarketTrade } from './market-state';
import type { SimFill, SimOrder } from './orders';
import { orderbookJson, type QuotationContext, tickerJson } from './quotation';

/** WebSocket frames in DEFAULT field names, and the SIMPLE short names Upbit documents for each. */
export type Frame = Record<string, unknown>;
export type StreamType = 'SNAPSHOT' | 'REALTIME';

const COMMON: Record<string, string> = { type: 'ty', code: 'cd', timestamp: 'tms', stream_type: 'st' };

export const SIMPLE_KEYS: Record<string, Record<string, string>> = {
  ticker: {
    ...COMMON,
    opening_price: 'op',
    high_price: 'hp',
    low_price: 'lp',
    trade_price: 'tp',
    prev_closing_price: 'pcp',
    change: 'c',
    change_price: 'cp',
    signed_change_price: 'scp',
    change_rate: 'cr',
    signed_change_rate: 'scr',
    trade_volume: 'tv',
    acc_trade_volume: 'atv',
    acc_trade_volume_24h: 'atv24h',
    acc_trade_price: 'atp',
    acc_trade_price_24h: 'atp24h',
    trade_date: 'tdt',
    trade_time: 'ttm',
    trade_timestamp: 'ttms',
    ask_bid: 'ab',
    acc_ask_volume: 'aav',
    acc_bid_volume: 'abv',
    highest_52_week_price: 'h52wp',
    highest_52_week_date: 'h52wdt',
    lowest_52_week_price: 'l52wp',
    lowest_52_week_date: 'l52wdt',
    market_state: 'ms',
    is_trading_suspended: 'its',
    delisting_date: 'dd',
    market_warning: 'mw',
  },
  trade: {
    ...COMMON,
    trade_price: 'tp',
    trade_volume: 'tv',
    ask_bid: 'ab',
    prev_closing_price: 'pcp',
    change: 'c',
    change_price: 'cp',
    trade_date: 'td',
    trade_time: 'ttm',
    trade_timestamp: 'ttms',
    sequential_id: 'sid',
    best_ask_price: 'bap',
    best_ask_size: 'bas',
    best_bid_price: 'bbp',
    best_bid_size: 'bbs',
  },
  orderbook: {
    ...COMMON,
    total_ask_size: 'tas',
    total_bid_size: 'tbs',
    orderbook_units: 'obu',
    ask_price: 'ap',
    bid_price: 'bp',
    ask_size: 'as',
    bid_size: 'bs',
    level: 'lv',
  },
  candle: {
    ...COMMON,
    candle_date_time_utc: 'cdttmu',
    candle_date_time_kst: 'cdttmk',
    opening_price: 'op',
    high_price: 'hp',
    low_price: 'lp',
    trade_price: 'tp',
    candle_acc_trade_volume: 'catv',
    candle_acc_trade_price: 'catp',
  },
  myOrder: {
    ...COMMON,
    uuid: 'uid',
    ask_bid: 'ab',
    order_type: 'ot',
    state: 's',
    trade_uuid: 'tuid',
    price: 'p',
    avg_price: 'ap',
    volume: 'v',
    remaining_volume: 'rv',
    executed_volume: 'ev',
    trades_count: 'tc',
    reserved_fee: 'rsf',
    remaining_fee: 'rmf',
    paid_fee: 'pf',
    locked: 'l',
    executed_funds: 'ef',
    time_in_force: 'tif',
    trade_fee: 'tf',
    is_maker: 'im',
    identifier: 'id',
    smp_type: 'smpt',
    prevented_volume: 'pv',
    prevented_locked: 'pl',
    trade_timestamp: 'ttms',
    order_timestamp: 'otms',
  },
  myAsset: {
    ...COMMON,
    asset_uuid: 'astuid',
    assets: 'ast',
    currency: 'cu',
    balance: 'b',
    locked: 'l',
    asset_timestamp: 'asttms',
  },
  list: { method: 'mthd', result: 'rslt', codes: 'cds', level: 'lv', ticket: 'tckt', type: 'ty' },
};

/** Renames keys (recursively through arrays of objects) to SIMPLE names. */
export function toSimple(frame: Frame, family: string): Frame {
  const keys = SIMPLE_KEYS[family] ?? COMMON;
  const conv = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(conv) : v && typeof v === 'object' ? rename(v as Frame) : v;
  const rename = (o: Frame): Frame => {
    const out: Frame = {};
    for (const [k, v] of Object.entries(o)) out[keys[k] ?? k] = conv(v);
    return out;
  };
  return rename(frame);
}

export function familyOf(type: string): string {
  return type.startsWith('candle.') ? 'candle' : type;
}

export function tickerFrame(ctx: QuotationContext, m: MarketState, st: StreamType): Frame {
  const t = tickerJson(ctx, m);
  const { market: _m, trade_date_kst: _d, trade_time_kst: _t, ...rest } = t;
  return {
    type: 'ticker',
    code: m.market,
    ...rest,
    ask_bid: m.lastTrade?.askBid ?? 'BID',
    acc_ask_volume: Number(m.day.accAskVolume.toFixed(8)),
    acc_bid_volume: Number(m.day.accBidVolume.toFixed(8)),
    market_state: 'ACTIVE',
    is_trading_suspended: false,
    delisting_date: null,
    market_warning: m.spec.warning ? 'CAUTION' : 'NONE',
    stream_type: st,
  };
}

export function tradeFrame(m: MarketState, t: MarketTrade, st: StreamType, now: number): Frame {
  const iso = new Date(t.timestamp).toISOString();
  const change = t.price - m.day.prevClose;
  return {
    type: 'trade',
    code: m.market,
    timestamp: now,
    trade_date: iso.slice(0, 10),
    trade_time: iso.slice(11, 19),
    trade_timestamp: t.timestamp,
    trade_price: t.price,
    trade_volume: t.volume,
    ask_bid: t.askBid,
    prev_closing_price: m.day.prevClose,
    change: change > 0 ? 'RISE' : change < 0 ? 'FALL' : 'EVEN',
    change_price: Number(Math.abs(change).toFixed(8)),
    sequential_id: t.sequentialId,
    best_ask_price: m.asks[0]?.price ?? 0,
    best_ask_size: m.asks[0]?.size ?? 0,
    best_bid_price: m.bids[0]?.price ?? 0,
    best_bid_size: m.bids[0]?.size ?? 0,
    stream_type: st,
  };
}

export function orderbookFrame(ctx: QuotationContext, m: MarketState, depth: number, st: StreamType): Frame {
  const ob = orderbookJson(ctx, m, depth);
  return {
    type: 'orderbook',
    code: m.market,
    timestamp: ob.timestamp,
    total_ask_size: ob.total_ask_size,
    total_bid_size: ob.total_bid_size,
    orderbook_units: ob.orderbook_units,
    stream_type: st,
    level: 0,
  };
}

/** Candle units of the WebSocket `candle.*` types, in seconds. */
export const CANDLE_TYPES: Record<string, number> = {
  'candle.1s': 1,
  'candle.1m': 60,
  'candle.3m': 180,
  'candle.5m': 300,
  'candle.10m': 600,
  'candle.15m': 900,
  'candle.30m': 1800,
  'candle.60m': 3600,
  'candle.240m': 14400,
};

/** The newest candle of a unit: the current bucket, or the previous one when this one has no trade yet. */
export function latestCandle(m: MarketState, seconds: number, now: number): Candle | undefined {
  const bucket: BucketOf = fixedBucket(seconds * 1000);
  const layers = seconds === 1 ? [m.secondLayer] : m.layers;
  return queryCandles(layers, bucket, seconds, now + 1, 1)[0];
}

export function candleFrame(type: string, m: MarketState, c: Candle, st: StreamType): Frame {
  return {
    type,
    code: m.market,
    candle_date_time_utc: utcString(c.t),
    candle_date_time_kst: kstString(c.t),
    opening_price: c.o,
    high_price: c.h,
    low_price: c.l,
    trade_price: c.c,
    candle_acc_trade_volume: Number(c.v.toFixed(8)),
    candle_acc_trade_price: Number(c.q.toFixed(8)),
    timestamp: c.last,
    stream_type: st,
  };
}

const num = (d: { toNumber(): number } | null | undefined) => (d ? d.toNumber() : null);

/** myOrder: state `trade` for a fill (price/volume are the fill's), else the order's state. */
export function myOrderFrame(o: SimOrder, fill: SimFill | null, now: number): Frame {
  const avg = o.executedVolume.isZero() ? 0 : o.executedFunds.div(o.executedVolume).toNumber();
  return {
    type: 'myOrder',
    code: o.market,
    uuid: o.uuid,
    ask_bid: o.side === 'bid' ? 'BID' : 'ASK',
    order_type: o.ordType,
    state: fill ? 'trade' : o.state,
    trade_uuid: fill ? fill.uuid : null,
    price: fill ? fill.price.toNumber() : num(o.price),
    avg_price: avg,
    volume: fill ? fill.volume.toNumber() : num(o.volume),
    remaining_volume: num(o.remainingVolume),
    executed_volume: o.executedVolume.toNumber(),
    trades_count: o.tradesCount,
    reserved_fee: o.reservedFee.toNumber(),
    remaining_fee: o.remainingFee.toNumber(),
    paid_fee: o.paidFee.toNumber(),
    locked: o.locked.toNumber(),
    executed_funds: o.executedFunds.toNumber(),
    time_in_force: o.timeInForce ?? null,
    trade_fee: fill ? fill.fee.toNumber() : null,
    is_maker: fill ? fill.isMaker : null,
    identifier: o.identifier ?? null,
    smp_type: o.smpType ?? null,
    prevented_volume: o.preventedVolume.toNumber(),
    prevented_locked: o.preventedLocked.toNumber(),
    trade_timestamp: fill ? fill.createdAt : null,
    order_timestamp: o.createdAt,
    timestamp: now,
    stream_type: 'REALTIME',
  };
}

export function myAssetFrame(assetUuid: string, rows: Balance[], now: number): Frame {
  return {
    type: 'myAsset',
    asset_uuid: assetUuid,
    assets: rows.map((b) => ({ currency: b.currency, balance: b.balance.toNumber(), locked: b.locked.toNumber() })),
    asset_timestamp: now,
    timestamp: now,
    stream_type: 'REALTIME',
  };
}
