// The fill model: how an order placed by the backtester meets later bars. Written down for traders
// in the README ("Backtest fill model"); every assumption here is deliberately on the pessimistic side.
import Decimal from 'decimal.js';
import type { Candle } from '../market';
import { floorVolume, quoteOf, roundToTick } from '../market';
import type { OrderSide } from './result';

/**
 * Slippage on market orders and stop exits, in basis points of the reference price.
 * 'fixed': always `bps`. 'volume': `baseBps` (half the typical spread) plus `impactBps` x sqrt(order
 * volume / bar volume), the square-root impact rule; a bar with no volume gets `maxBps`.
 */
export type SlippageModel =
  | { kind: 'fixed'; bps: number }
  | { kind: 'volume'; baseBps: number; impactBps: number; maxBps: number };

export interface FillModel {
  slippage: SlippageModel;
  /** Largest share of one bar's volume a resting limit order can take (0.1 = 10 %). */
  limitVolumeCap: number;
}

export const DEFAULT_FILL_MODEL: FillModel = {
  slippage: { kind: 'fixed', bps: 5 },
  limitVolumeCap: 0.1,
};

export function validateFillModel(model: FillModel): string[] {
  const errors: string[] = [];
  const s = model.slippage;
  const nonNeg = (name: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 10_000)
      errors.push(`${name}: must be a number from 0 to 10000 bps, got ${JSON.stringify(v)}`);
  };
  if (s?.kind === 'fixed') nonNeg('slippage.bps', s.bps);
  else if (s?.kind === 'volume') {
    nonNeg('slippage.baseBps', s.baseBps);
    nonNeg('slippage.impactBps', s.impactBps);
    nonNeg('slippage.maxBps', s.maxBps);
  } else
    errors.push(`slippage.kind: must be 'fixed' or 'volume', got ${JSON.stringify((s as { kind?: unknown })?.kind)}`);
  if (!(model.limitVolumeCap > 0 && model.limitVolumeCap <= 1))
    errors.push(`limitVolumeCap: must be > 0 and <= 1, got ${JSON.stringify(model.limitVolumeCap)}`);
  return errors;
}

export function slippageBps(model: SlippageModel, orderVolume: number, bar: Candle): number {
  if (model.kind === 'fixed') return model.bps;
  if (!(bar.volume > 0)) return model.maxBps;
  return Math.min(model.maxBps, model.baseBps + model.impactBps * Math.sqrt(orderVolume / bar.volume));
}

export interface PriceFill {
  price: Decimal;
  /** Realised slippage against the reference, bps, positive = worse for the trader. */
  slippageBps: number;
}

/**
 * Price of a market order (or a triggered stop) against a reference price: moved against the trader
 * by the slippage, then onto the tick grid on the trader's worse side (bids round up, asks down).
 */
export function slippedPrice(market: string, side: OrderSide, reference: number, bps: number): PriceFill {
  const ref = new Decimal(reference);
  const raw = side === 'bid' ? ref.mul(1 + bps / 10_000) : ref.mul(1 - bps / 10_000);
  // A bid pays at least the raw price (ask-side rounding rounds up); an ask gets at most it.
  const price = roundToTick(quoteOf(market), raw, side === 'bid' ? 'ask' : 'bid');
  const realised = price
    .div(ref)
    .minus(1)
    .mul(side === 'bid' ? 10_000 : -10_000)
    .toNumber();
  return { price, slippageBps: realised };
}

/** A market order placed at a bar's close fills at the NEXT bar's open, slipped. */
export function marketFill(market: string, side: OrderSide, orderVolume: number, next: Candle, model: SlippageModel) {
  return slippedPrice(market, side, next.open, slippageBps(model, orderVolume, next));
}

/**
 * A stop level crossed inside `bar` sells at the level, or at the open if the bar opened below it
 * (a gap through the stop), then slipped like a market order.
 */
export function stopFill(market: string, level: Decimal.Value, volume: number, bar: Candle, model: SlippageModel) {
  const reference = Math.min(new Decimal(level).toNumber(), bar.open);
  return slippedPrice(market, 'ask', reference, slippageBps(model, volume, bar));
}

/**
 * Volume a resting limit order gets from one bar: nothing unless the bar trades THROUGH the price
 * (low strictly below a bid, high strictly above an ask: touching is not enough, someone was ahead
 * in the queue), and never more than `cap` x the bar's volume. Fills at the limit price.
 */
export function limitFillVolume(
  side: OrderSide,
  limitPrice: Decimal.Value,
  remaining: Decimal.Value,
  bar: Candle,
  cap: number,
): Decimal {
  const limit = new Decimal(limitPrice).toNumber();
  const through = side === 'bid' ? bar.low < limit : bar.high > limit;
  if (!through) return new Decimal(0);
  return Decimal.min(new Decimal(remaining), floorVolume(new Decimal(bar.volume).mul(cap)));
}
