// Position sizing: how much KRW to bid so that a stop-out loses a fixed share of equity, clamped by
// every cap. An order that cannot reach the minimum total after the clamps is not placed: it is
// rejected with the clamp that made it too small, never bumped up past a limit.
import Decimal from 'decimal.js';
import {
  bidLocked,
  DEFAULT_FEE_RATE,
  floorVolume,
  MAX_TOTAL_KRW,
  minimumOrderTotal,
  orderTotal,
  quoteOf,
  roundToTick,
  tickSize,
} from '../market';
import type { SizeBound, SizeEntryInput, SizeResult } from './types';

function decimalOrNull(v: Decimal.Value | undefined): Decimal | null {
  if (v === undefined || v === null) return null;
  try {
    const d = new Decimal(v);
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

const fmt = (d: Decimal) => d.toDecimalPlaces(0, Decimal.ROUND_DOWN).toFixed();

/** Stop distance per unit in KRW: explicit stop price first, then the configured % or ATR stop (no stop: the price). */
function stopDistance(input: SizeEntryInput, price: Decimal): Decimal | string {
  const stop = decimalOrNull(input.stopPrice);
  if (input.stopPrice !== undefined) {
    if (!stop || stop.lte(0) || stop.gte(price))
      return `stopPrice ${String(input.stopPrice)} must be below price ${price}`;
    return price.minus(stop);
  }
  const exit = input.config.exit;
  // No stop: nothing limits the loss short of the whole entry, so that is what is at risk.
  if (exit.stopMode === 'none') return price;
  if (exit.stopMode === 'pct') return price.mul(exit.stopPct).div(100);
  const atr = decimalOrNull(input.atr);
  if (!atr || atr.lte(0)) return 'an ATR stop needs atr > 0 (or pass stopPrice)';
  return atr.mul(exit.stopAtrMultiple);
}

/**
 * Sizes a limit bid. Risk sizing: (equity x riskPerTradePct) / (stop distance + round-trip fees) units,
 * then clamped by the fractional-Kelly cap, the per-coin weight, the total exposure, the free KRW
 * (fee included) and Upbit's max total. Price is floored onto the bid grid, volume to 8 decimals.
 */
export function sizeEntry(input: SizeEntryInput): SizeResult {
  const equity = decimalOrNull(input.equityKrw);
  const free = decimalOrNull(input.freeKrw);
  const rawPrice = decimalOrNull(input.price);
  const exposure = decimalOrNull(input.exposureKrw);
  const coinExposure = decimalOrNull(input.coinExposureKrw);
  const feeRate = decimalOrNull(input.rules.feeRate ?? DEFAULT_FEE_RATE);
  const bad = [
    ['equityKrw', equity],
    ['freeKrw', free],
    ['price', rawPrice],
    ['exposureKrw', exposure],
    ['coinExposureKrw', coinExposure],
    ['rules.feeRate', feeRate],
  ].filter(([, v]) => v === null || (v as Decimal).isNeg());
  if (bad.length || !rawPrice || rawPrice.lte(0))
    return {
      ok: false,
      code: 'InvalidInput',
      reason: `InvalidInput: ${bad.map(([k]) => k).join(', ') || 'price'} must be non-negative numbers (price > 0)`,
    };
  const fee = feeRate!;
  let quote: ReturnType<typeof quoteOf>;
  try {
    quote = quoteOf(input.market);
  } catch (e) {
    return { ok: false, code: 'InvalidInput', reason: `InvalidInput: ${(e as Error).message}` };
  }
  if (rawPrice.lt(tickSize(quote, 0)))
    return {
      ok: false,
      code: 'InvalidInput',
      reason: `InvalidInput: price ${rawPrice.toFixed()} is below the smallest tick`,
    };
  const price = roundToTick(quote, rawPrice, 'bid');
  const dist = stopDistance(input, price);
  if (typeof dist === 'string') return { ok: false, code: 'NoStopDistance', reason: `NoStopDistance: ${dist}` };
  if (dist.lte(0)) return { ok: false, code: 'NoStopDistance', reason: 'NoStopDistance: stop distance is zero' };

  const { config } = input;
  // Loss per unit at the stop: the distance plus the fee paid on entry and on the exit at the stop.
  const lossPerUnit = dist.plus(price.mul(fee)).plus(price.minus(dist).mul(fee));
  const riskKrw = equity!.mul(config.riskPerTradePct).div(100);
  const caps: [SizeBound, Decimal][] = [['risk', riskKrw.div(lossPerUnit).mul(price)]];

  if (config.kellyFraction > 0 && input.kelly) {
    const { winRate: w, payoffRatio: b } = input.kelly;
    const kelly = b > 0 ? w - (1 - w) / b : -1;
    if (!(kelly > 0))
      return {
        ok: false,
        code: 'NoEdge',
        reason: `NoEdge: Kelly fraction ${kelly.toFixed(4)} <= 0 (win ${w}, payoff ${b})`,
      };
    caps.push(['kelly', equity!.mul(config.kellyFraction).mul(kelly)]);
  }

  const coinRoom = equity!.mul(config.maxCoinWeightPct).div(100).minus(coinExposure!);
  if (coinRoom.lte(0))
    return {
      ok: false,
      code: 'CoinWeightFull',
      reason: `CoinWeightFull: ${fmt(coinExposure!)} KRW already in ${input.market}, cap ${config.maxCoinWeightPct}% of ${fmt(equity!)}`,
    };
  caps.push(['coin_weight', coinRoom]);

  const totalRoom = equity!.mul(config.maxTotalExposurePct).div(100).minus(exposure!);
  if (totalRoom.lte(0))
    return {
      ok: false,
      code: 'ExposureFull',
      reason: `ExposureFull: ${fmt(exposure!)} KRW exposed, cap ${config.maxTotalExposurePct}% of ${fmt(equity!)}`,
    };
  caps.push(['total_exposure', totalRoom]);
  if (config.maxCapitalKrw) {
    const capitalRoom = new Decimal(config.maxCapitalKrw).minus(exposure!);
    if (capitalRoom.lte(0))
      return {
        ok: false,
        code: 'CapitalFull',
        reason: `CapitalFull: ${fmt(exposure!)} KRW exposed, the session's capital cap is ${config.maxCapitalKrw} KRW`,
      };
    caps.push(['session_capital', capitalRoom]);
  }
  if (config.maxOrderKrw) caps.push(['max_order', new Decimal(config.maxOrderKrw)]);
  // Division rounds to 20 significant digits; floor it to whole KRW-cents so total x (1 + fee) stays <= free.
  caps.push(['free_krw', free!.div(fee.plus(1)).toDecimalPlaces(2, Decimal.ROUND_DOWN)]);
  caps.push(['max_total', MAX_TOTAL_KRW]);

  let [boundBy, target] = caps[0];
  for (const [name, cap] of caps) if (cap.lt(target)) [boundBy, target] = [name, cap];

  // Division rounds half-up at 20 significant digits, which can land one 8th-decimal step above the exact
  // quotient; step back until the order is inside the cap and the free KRW.
  let volume = floorVolume(target.div(price));
  const step = new Decimal('1e-8');
  while (volume.gt(0) && (orderTotal(price, volume).gt(target) || bidLocked(price, volume, fee).gt(free!)))
    volume = volume.minus(step);
  const total = orderTotal(price, volume);
  const minimum = minimumOrderTotal(input.rules.minTotal ?? 5000);
  if (total.lt(minimum)) {
    const code = boundBy === 'free_krw' ? 'InsufficientFunds' : 'UnderMinTotal';
    return {
      ok: false,
      code,
      reason: `${code}: sized ${fmt(total)} KRW (bound by ${boundBy}) is below the minimum order total ${minimum.toFixed()} KRW`,
    };
  }
  return {
    ok: true,
    price: price.toFixed(),
    volume: volume.toFixed(8),
    totalKrw: total.toFixed(),
    lockedKrw: bidLocked(price, volume, fee).toFixed(),
    boundBy,
  };
}
