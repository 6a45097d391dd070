// What crosses the boundary of an Order workflow: its input, its result, its status, the exchange's view of an
// order, and the failure types its activities raise. Shared by workflows, activities, the API and the dashboard.
import type { TradingMode } from '../session/config';

export type OrderSide = 'bid' | 'ask';

export interface OrderRequest {
  sessionId: string;
  positionId: string | null;
  mode: TradingMode;
  market: string;
  side: OrderSide;
  /** limit: price + volume; price (market buy): price = KRW to spend; market (sell): volume. */
  ordType: 'limit' | 'price' | 'market';
  price?: string;
  volume?: string;
  timeoutSec: number;
  fallbackToMarket: boolean;
  maxSlippagePct: number;
  /** Smallest total worth a fallback order, KRW. */
  minTotalKrw: string;
  /**
   * An order not placed by then is not placed at all (epoch ms). Only entries have one: an exit keeps
   * trying until the coins are sold.
   */
  notAfterTs?: number;
  purpose: 'entry' | 'exit';
  reason: string;
}

export type OrderOutcome = 'filled' | 'partially_filled' | 'unfilled' | 'rejected';

/** Failure types the order activities raise (Temporal `ApplicationFailure.type`), one name each. */
export const ORDER_FAILURE = {
  /** The identifier was used by an earlier attempt that placed nothing: the next attempt takes a new one. */
  identifierBurned: 'IdentifierBurned',
  /** The order's time passed before it could be placed; nothing was placed. */
  staleOrder: 'StaleOrder',
  /** The exchange refused the order (its `error.name` travels in the failure's details). */
  orderRejected: 'OrderRejected',
} as const;

export interface OrderResult {
  orderId: string;
  outcome: OrderOutcome;
  executedVolume: string;
  /** KRW paid (bid) or received (ask) before fees. */
  funds: string;
  avgPrice: string | null;
  paidFee: string;
  exchangeUuids: string[];
  reason?: string;
  /** The exchange's `error.name` when the order was rejected (e.g. `market_offline`). */
  rejectedName?: string;
}

/** The exchange's view of one order, normalised (decimals as strings). */
export interface ExchangeOrderView {
  uuid: string;
  identifier: string | null;
  market: string;
  side: OrderSide;
  ordType: string;
  state: 'wait' | 'watch' | 'done' | 'cancel';
  price: string | null;
  volume: string | null;
  remainingVolume: string;
  executedVolume: string;
  executedFunds: string;
  paidFee: string;
  tradesCount: number;
}

export interface OrderStatus {
  phase: 'submitting' | 'waiting' | 'cancelling' | 'fallback' | 'done';
  submitSeq: number;
  current: ExchangeOrderView | null;
  result: OrderResult | null;
}
