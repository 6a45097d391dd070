// What the account is worth, for the risk engine: free KRW, KRW locked in bids, and every coin at
// its own market's price. A coin without a price is listed as unpriced, never counted as 0 KRW.
import Decimal from 'decimal.js';
import type { DecimalInput } from '../market';

/** One line of the exchange's account list (Upbit's `/accounts`, amounts as decimal strings). */
export interface BalanceLine {
  currency: string;
  balance: string;
  locked: string;
}

export interface AccountValue {
  /** Available KRW. */
  freeKrw: string;
  /** Coins at market plus KRW locked in open bids. */
  exposureKrw: string;
  equityKrw: string;
  /** Per market (`KRW-<coin>`): the coins held, balance plus locked, at that market's price. */
  coinExposureKrw: Record<string, string>;
  /** Coins held that no price values (no KRW market): left out of every figure above, by name. */
  unpriced: Array<{ currency: string; volume: string }>;
}

/** The coins held (balance plus locked, above zero), KRW excepted. */
export function heldCoins(lines: readonly BalanceLine[]): Array<{ currency: string; volume: Decimal }> {
  return lines
    .filter((l) => l.currency !== 'KRW')
    .map((l) => ({ currency: l.currency, volume: new Decimal(l.balance).plus(l.locked) }))
    .filter((c) => c.volume.gt(0));
}

/** Values the account; `prices` has the KRW price of each coin's market that has one. */
export function valueAccount(lines: readonly BalanceLine[], prices: ReadonlyMap<string, DecimalInput>): AccountValue {
  const krw = lines.find((l) => l.currency === 'KRW');
  const free = new Decimal(krw?.balance ?? 0);
  // KRW locked in open bids is committed too.
  let exposure = new Decimal(krw?.locked ?? 0);
  const coinExposureKrw: Record<string, string> = {};
  const unpriced: AccountValue['unpriced'] = [];
  for (const { currency, volume } of heldCoins(lines)) {
    const market = `KRW-${currency}`;
    const price = prices.get(market);
    if (price === undefined) {
      unpriced.push({ currency, volume: volume.toFixed() });
      continue;
    }
    const value = volume.mul(price);
    coinExposureKrw[market] = value.toFixed();
    exposure = exposure.plus(value);
  }
  return {
    freeKrw: free.toFixed(),
    exposureKrw: exposure.toFixed(),
    equityKrw: free.plus(exposure).toFixed(),
    coinExposureKrw,
    unpriced,
  };
}
