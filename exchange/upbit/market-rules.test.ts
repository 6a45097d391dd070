import { describe, expect, it } from 'vitest';
import { feeOn, minimumOrderTotal } from '../../core/market';
import { marketRulesFrom } from './market-rules';
import type { OrderChance } from './types';

const account = (currency: string) => ({
  currency,
  balance: '0',
  locked: '0',
  avg_buy_price: '0',
  avg_buy_price_modified: false,
  unit_currency: 'KRW',
});

function chance(overrides: Partial<OrderChance['market']> = {}, fees = { bid: '0.0005', ask: '0.0005' }): OrderChance {
  return {
    bid_fee: fees.bid,
    ask_fee: fees.ask,
    market: {
      id: 'KRW-BTC',
      name: 'BTC/KRW',
      order_sides: ['ask', 'bid'],
      bid: { currency: 'KRW', min_total: '5000' },
      ask: { currency: 'BTC', min_total: '5000' },
      max_total: '1000000000',
      state: 'active',
      ...overrides,
    },
    bid_account: account('KRW'),
    ask_account: account('BTC'),
  };
}

describe('marketRulesFrom', () => {
  it('reads fees, minimum and maximum totals exactly as decimals', () => {
    const rules = marketRulesFrom(chance({}, { bid: '0.0005', ask: '0.0025' }));
    expect(rules.market).toBe('KRW-BTC');
    expect(rules.bidFee.toString()).toBe('0.0005');
    expect(rules.askFee.toString()).toBe('0.0025');
    expect(rules.minTotal.toString()).toBe('5000');
    expect(rules.maxTotal.toString()).toBe('1000000000');
    expect(rules.state).toBe('active');
    // Feeds core/market unchanged: 0.05% of 1,234,567 KRW is 617.2835 exactly.
    expect(feeOn('1234567', rules.bidFee).toString()).toBe('617.2835');
    expect(minimumOrderTotal(rules.minTotal).toString()).toBe('30000');
  });

  it('takes the larger side minimum', () => {
    const rules = marketRulesFrom(chance({ ask: { currency: 'BTC', min_total: '7000' } }));
    expect(rules.minTotal.toString()).toBe('7000');
  });

  it('names the field when the reply is malformed', () => {
    expect(() => marketRulesFrom(chance({ max_total: 'lots' }))).toThrow(/KRW-BTC has a bad market.max_total: "lots"/);
    expect(() => marketRulesFrom(chance({}, { bid: '-1', ask: '0' }))).toThrow(/bad bid_fee/);
    const missing = chance();
    delete (missing.market as Partial<OrderChance['market']>).bid;
    expect(() => marketRulesFrom(missing)).toThrow(/has no market.bid.min_total/);
  });
});
