import Decimal from 'decimal.js';

/** Quote currencies of Upbit markets; the part before the dash of a market code such as `KRW-BTC`. */
export type QuoteCurrency = 'KRW' | 'BTC' | 'USDT';
export type Side = 'bid' | 'ask';
export type DecimalInput = Decimal.Value;

/** [lower bound inclusive, tick] from the highest band down. KRW table in force since 2025-07-31. */
const KRW_BANDS: ReadonlyArray<readonly [string, string]> = [
  ['1000000', '1000'],
  ['500000', '500'],
  ['100000', '100'],
  ['50000', '50'],
  ['10000', '10'],
  ['5000', '5'],
  ['100', '1'],
  ['10', '0.1'],
  ['1', '0.01'],
  ['0.1', '0.001'],
  ['0.01', '0.0001'],
  ['0.001', '0.00001'],
  ['0.0001', '0.000001'],
  ['0.00001', '0.0000001'],
  ['0', '0.00000001'],
];

/** USDT market table in force since 2024-08-19. */
const USDT_BANDS: ReadonlyArray<readonly [string, string]> = [
  ['10', '0.01'],
  ['1', '0.001'],
  ['0.1', '0.0001'],
  ['0.01', '0.00001'],
  ['0.001', '0.000001'],
  ['0.0001', '0.0000001'],
  ['0', '0.00000001'],
];

const BTC_TICK = new Decimal('0.00000001');

/** Volume precision Upbit accepts (8 decimals). */
export const VOLUME_DECIMALS = 8;

export function quoteOf(market: string): QuoteCurrency {
  const quote = market.split('-')[0];
  if (quote === 'KRW' || quote === 'BTC' || quote === 'USDT') return quote;
  throw new Error(`unsupported quote currency in market "${market}"`);
}

/** The band tables as Decimals, parsed once (tickSize runs for every price put on the grid). */
const parsedBands = (bands: ReadonlyArray<readonly [string, string]>) =>
  bands.map(([lower, tick]) => [new Decimal(lower), new Decimal(tick)] as const);
const KRW_BAND_DECIMALS = parsedBands(KRW_BANDS);
const USDT_BAND_DECIMALS = parsedBands(USDT_BANDS);

/** Tick size for a price in the given quote currency, chosen by the price's own band. */
export function tickSize(quote: QuoteCurrency, price: DecimalInput): Decimal {
  const p = new Decimal(price);
  if (quote === 'BTC') return BTC_TICK;
  const bands = quote === 'KRW' ? KRW_BAND_DECIMALS : USDT_BAND_DECIMALS;
  for (const [lower, tick] of bands) if (p.gte(lower)) return tick;
  return bands[bands.length - 1][1];
}

export function isOnTick(quote: QuoteCurrency, price: DecimalInput): boolean {
  const p = new Decimal(price);
  if (!p.isFinite() || p.lte(0)) return false;
  return p.mod(tickSize(quote, p)).isZero();
}

/** A bid price under the grid's smallest tick: rounding it down would give 0, which is no price. */
export class BelowSmallestTick extends Error {
  constructor(readonly price: string) {
    super(`bid price ${price} is below the smallest tick: no bid at or under it exists`);
    this.name = 'BelowSmallestTick';
  }
}

/**
 * Rounds a price onto the tick grid: bids down, asks up (never worse for the trader than asked),
 * using the tick of the band the rounded price lands in.
 */
export function roundToTick(quote: QuoteCurrency, price: DecimalInput, side: Side): Decimal {
  const p = new Decimal(price);
  if (!p.isFinite() || p.lte(0)) throw new Error(`price must be a positive number, got ${String(price)}`);
  const round = (tick: Decimal) => (side === 'bid' ? p.div(tick).floor().mul(tick) : p.div(tick).ceil().mul(tick));
  let rounded = round(tickSize(quote, p));
  // Flooring can drop into a finer band (still on its grid); ceiling can climb into a coarser one.
  const landed = tickSize(quote, rounded);
  if (!rounded.mod(landed).isZero()) rounded = round(landed);
  if (rounded.isZero()) throw new BelowSmallestTick(p.toFixed());
  return rounded;
}

/** Moves a price by n ticks (n may be negative), staying on the grid of the band it lands in. */
export function stepTicks(quote: QuoteCurrency, price: DecimalInput, n: number): Decimal {
  let p = new Decimal(price);
  for (let i = 0; i < Math.abs(n); i++) {
    // Going down, the step is the tick of the band just below, so 100 -> 99.9, not 99.
    p = n > 0 ? p.plus(tickSize(quote, p)) : p.minus(tickSize(quote, p.minus(tickSize(quote, p))));
  }
  return p;
}

/** Volume floored to Upbit's 8 decimals. */
export function floorVolume(volume: DecimalInput): Decimal {
  return new Decimal(volume).toDecimalPlaces(VOLUME_DECIMALS, Decimal.ROUND_DOWN);
}
