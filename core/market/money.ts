import Decimal from 'decimal.js';
import type { DecimalInput } from './ticks';

/** The bot never places an order below this total, whatever the exchange allows. */
export const BOT_MIN_TOTAL_KRW = new Decimal(30_000);
/** Upbit's largest KRW order total. */
export const MAX_TOTAL_KRW = new Decimal(1_000_000_000);
/** Upbit's KRW-market fee per side unless `orders/chance` says otherwise. */
export const DEFAULT_FEE_RATE = new Decimal('0.0005');

/**
 * `new Decimal(x).toFixed()` of a number without building the Decimal: a finite number whose shortest form has no
 * exponent is already that string (decimal.js parses numbers from the same shortest form and keeps every digit).
 */
export function decimalStringOf(x: number): string {
  const s = String(x);
  return Number.isFinite(x) && !s.includes('e') ? s : new Decimal(x).toFixed();
}

/** Minimum order total the bot accepts: max(bot minimum, the market's own `min_total`). */
export function minimumOrderTotal(marketMinTotal: DecimalInput = 5000): Decimal {
  return Decimal.max(BOT_MIN_TOTAL_KRW, new Decimal(marketMinTotal));
}

export function orderTotal(price: DecimalInput, volume: DecimalInput): Decimal {
  return new Decimal(price).mul(volume);
}

/** Fee in quote currency on a traded total. */
export function feeOn(total: DecimalInput, feeRate: DecimalInput = DEFAULT_FEE_RATE): Decimal {
  return new Decimal(total).mul(feeRate);
}

/** KRW a limit bid locks: price x volume plus the reserved fee. */
export function bidLocked(
  price: DecimalInput,
  volume: DecimalInput,
  feeRate: DecimalInput = DEFAULT_FEE_RATE,
): Decimal {
  const total = orderTotal(price, volume);
  return total.plus(feeOn(total, feeRate));
}
