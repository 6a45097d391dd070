import { tickSize } from '../../core/market';

/**
 * Float-speed access to core's KRW tick table for the synthetic feed, which moves thousands of prices a
 * second. Every KRW band starts at 10^k or 5x10^k, so the tick is cached per (decade, lower/upper half)
 * and always read from `tickSize`; prices are snapped to the grid and re-printed to the tick's decimals.
 */
const tickCache = new Map<number, { tick: number; decimals: number }>();

function bandKey(price: number): number {
  const exp = Math.floor(Math.log10(price));
  const mantissa = price / 10 ** exp;
  // Float log10 can land one decade off right at a boundary; the mantissa tells.
  if (mantissa >= 10) return (exp + 1) * 2;
  if (mantissa < 1) return (exp - 1) * 2 + 1;
  return exp * 2 + (mantissa >= 5 ? 1 : 0);
}

function band(price: number): { tick: number; decimals: number } {
  const key = bandKey(price);
  let hit = tickCache.get(key);
  if (!hit) {
    const tick = tickSize('KRW', price.toPrecision(15));
    hit = { tick: tick.toNumber(), decimals: Math.max(0, tick.decimalPlaces()) };
    tickCache.set(key, hit);
  }
  return hit;
}

export function tickOf(price: number): number {
  return band(price).tick;
}

function snap(units: number, price: number): number {
  const { tick, decimals } = band(price);
  return Number((units * tick).toFixed(decimals));
}

/** Largest grid price at or below `price` (a bid never pays more than asked). */
export function floorToTick(price: number): number {
  const { tick } = band(price);
  const units = Math.floor(price / tick + 1e-9);
  const p = snap(units, price);
  // Flooring may drop into a finer band whose grid still contains p; that is fine.
  return p > 0 ? p : tick;
}

/** Smallest grid price at or above `price`. */
export function ceilToTick(price: number): number {
  const { tick } = band(price);
  const p = snap(Math.ceil(price / tick - 1e-9), price);
  const landed = band(p);
  // Ceiling may climb into a coarser band: re-snap on that band's grid.
  return landed.tick === tick ? p : Number((Math.ceil(p / landed.tick - 1e-9) * landed.tick).toFixed(landed.decimals));
}

export function stepUp(price: number): number {
  const { tick, decimals } = band(price);
  return ceilToTick(Number((price + tick).toFixed(decimals)));
}

export function stepDown(price: number): number {
  // The step down is the tick of the band just below, so 100 -> 99.9, not 99.
  const below = price - tickOf(price);
  if (below <= 0) return price;
  const { tick, decimals } = band(below);
  return Number((price - tick).toFixed(Math.max(decimals, band(price).decimals)));
}

export function decimalsOf(price: number): number {
  return band(price).decimals;
}
