import Decimal from 'decimal.js';

/** Exact decimal arithmetic for balances and orders: wide enough that no KRW or coin digit is ever lost. */
export const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_DOWN });
export type Dec = InstanceType<typeof Dec>;

export interface SimKey {
  accessKey: string;
  secretKey: string;
  createdAt: number;
}

/** One currency held by an account: `balance` is available, `locked` is held by open orders. */
export interface Balance {
  currency: string;
  balance: Dec;
  locked: Dec;
  avgBuyPrice: Dec;
}

/** Decimal string as Upbit prints it: plain notation, never exponent. */
export function fmt(d: Dec | Decimal): string {
  return d.toFixed();
}

export function balanceJson(b: Balance) {
  return {
    currency: b.currency,
    balance: fmt(b.balance),
    locked: fmt(b.locked),
    avg_buy_price: fmt(b.avgBuyPrice),
    avg_buy_price_modified: false,
    unit_currency: 'KRW',
  };
}
