/**
 * What a backtest returns. Money fields are decimal strings (exact, JSON-safe for Temporal
 * payloads and the database); statistics derived from them are plain numbers.
 */

export type OrderSide = 'bid' | 'ask';

/** One execution against a bar. */
export interface Fill {
  ts: number;
  market: string;
  side: OrderSide;
  kind: 'market' | 'limit' | 'stop';
  price: string;
  volume: string;
  fee: string;
  /** Price paid against the reference (open for market orders, trigger for stops), in basis points; positive = worse. */
  slippageBps: number;
  reason: string;
}

/** One position from first entry fill to last exit fill. */
export interface Trade {
  market: string;
  entryTs: number;
  exitTs: number;
  volume: string;
  /** Average entry price (without fees). */
  entryPrice: string;
  /** Average exit price (without fees). */
  exitPrice: string;
  fees: string;
  /** Net KRW: exit proceeds - entry cost - all fees. */
  pnl: string;
  /** pnl / (entry cost + entry fee). */
  returnPct: number;
  entryReason: string;
  exitReason: string;
  /** Partial exits in order (take-profit ladder, then the final exit). */
  exits: { ts: number; price: string; volume: string; reason: string }[];
}

export interface EquityPoint {
  ts: number;
  equity: number;
}
