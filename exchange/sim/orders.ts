import { type Balance, Dec, fmt } from './accounts';

export type OrderSide = 'bid' | 'ask';
/** limit; price = market buy spending `price`; market = market sell of `volume`; best = best-price IOC/FOK. */
export type OrdType = 'limit' | 'price' | 'market' | 'best';
export type OrderState = 'wait' | 'watch' | 'done' | 'cancel';
export type TimeInForce = 'ioc' | 'fok' | 'post_only';
export type SmpType = 'cancel_maker' | 'cancel_taker' | 'reduce' | 'none';

export interface SimFill {
  uuid: string;
  orderUuid: string;
  market: string;
  side: OrderSide;
  price: Dec;
  volume: Dec;
  funds: Dec;
  fee: Dec;
  isMaker: boolean;
  /** up when the trade was buyer-initiated. */
  trend: 'up' | 'down';
  createdAt: number;
}

export interface SimOrder {
  uuid: string;
  accessKey: string;
  market: string;
  side: OrderSide;
  ordType: OrdType;
  /** Limit price; for `price` and best bids the KRW to spend. */
  price: Dec | null;
  volume: Dec | null;
  remainingVolume: Dec | null;
  /** For orders that spend an amount (`price`, best bid): what is left to spend. */
  remainingFunds: Dec | null;
  state: OrderState;
  createdAt: number;
  identifier?: string;
  timeInForce?: TimeInForce;
  smpType?: SmpType;
  feeRate: Dec;
  reservedFee: Dec;
  remainingFee: Dec;
  paidFee: Dec;
  locked: Dec;
  executedVolume: Dec;
  executedFunds: Dec;
  preventedVolume: Dec;
  preventedLocked: Dec;
  tradesCount: number;
  trades: SimFill[];
  /** Highest price a best bid may pay / lowest a best ask may get (the opposite best at entry). */
  bestLimit?: Dec;
  /** Fills are held back until this time (stalled-fill fault). */
  matchAfter?: number;
  /** A cancel was accepted and takes effect at this time (delayed-cancel fault; not stored). */
  cancelAfter?: number;
  /** Arrival order for time priority. */
  seq: number;
}

/** ISO 8601 in KST with offset, as Upbit stamps orders; `micro` adds microseconds as trade rows show. */
export function kstIso(t: number, micro = false): string {
  const s = new Date(t + 9 * 3_600_000).toISOString();
  const base = s.slice(0, 19);
  return micro ? `${base}.${s.slice(20, 23)}000+09:00` : `${base}+09:00`;
}

export function fillJson(f: SimFill) {
  return {
    market: f.market,
    uuid: f.uuid,
    price: fmt(f.price),
    volume: fmt(f.volume),
    funds: fmt(f.funds),
    trend: f.trend,
    created_at: kstIso(f.createdAt, true),
    side: f.side,
  };
}

/** The order object of the exchange REST API; `withTrades` for GET /v1/order. */
export function orderJson(o: SimOrder, withTrades = false) {
  const out: Record<string, unknown> = {
    uuid: o.uuid,
    side: o.side,
    ord_type: o.ordType,
    price: o.price ? fmt(o.price) : null,
    state: o.state,
    market: o.market,
    created_at: kstIso(o.createdAt),
    volume: o.volume ? fmt(o.volume) : null,
    remaining_volume: o.remainingVolume ? fmt(o.remainingVolume) : null,
    reserved_fee: fmt(o.reservedFee),
    remaining_fee: fmt(o.remainingFee),
    paid_fee: fmt(o.paidFee),
    locked: fmt(o.locked),
    prevented_volume: fmt(o.preventedVolume),
    prevented_locked: fmt(o.preventedLocked),
    executed_volume: fmt(o.executedVolume),
    executed_funds: fmt(o.executedFunds),
    trades_count: o.tradesCount,
  };
  if (o.timeInForce) out.time_in_force = o.timeInForce;
  if (o.smpType) out.smp_type = o.smpType;
  if (o.identifier !== undefined) out.identifier = o.identifier;
  if (withTrades) out.trades = o.trades.map(fillJson);
  return out;
}

export function cloneOrder(o: SimOrder): SimOrder {
  return { ...o, trades: [...o.trades] };
}

export function zeroBalance(currency: string): Balance {
  return { currency, balance: new Dec(0), locked: new Dec(0), avgBuyPrice: new Dec(0) };
}
