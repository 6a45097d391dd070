import { describe, expect, it } from 'vitest';
import { screenUniverse, selectUniverse, type UniverseInput } from './universe';

const B = 1_000_000_000;
const input = (): UniverseInput => ({
  markets: [
    { market: 'KRW-BTC', market_event: { warning: false, caution: { PRICE_FLUCTUATIONS: false } } },
    { market: 'KRW-ETH' },
    { market: 'KRW-XRP' },
    { market: 'KRW-WARN', market_event: { warning: true, caution: {} } },
    { market: 'KRW-CAUT', market_event: { warning: false, caution: { TRADING_VOLUME_SOARING: true } } },
    { market: 'KRW-THIN' },
    { market: 'KRW-WIDE' },
    { market: 'KRW-GONE' },
    { market: 'BTC-ETH' },
  ],
  tickers: [
    { market: 'KRW-BTC', trade_price: 100_000_000, acc_trade_price_24h: 300 * B },
    { market: 'KRW-ETH', trade_price: 5_000_000, acc_trade_price_24h: 100 * B },
    { market: 'KRW-XRP', trade_price: 3_000, acc_trade_price_24h: 150 * B },
    { market: 'KRW-WARN', trade_price: 10, acc_trade_price_24h: 500 * B },
    { market: 'KRW-CAUT', trade_price: 10, acc_trade_price_24h: 500 * B },
    { market: 'KRW-THIN', trade_price: 10, acc_trade_price_24h: 0.1 * B },
    { market: 'KRW-WIDE', trade_price: 1000, acc_trade_price_24h: 50 * B },
    { market: 'KRW-GONE', trade_price: 100, acc_trade_price_24h: 60 * B, market_state: 'DELISTED' },
  ],
  orderbooks: [
    { market: 'KRW-BTC', orderbook_units: [{ ask_price: 100_001_000, bid_price: 100_000_000 }] },
    { market: 'KRW-XRP', orderbook_units: [{ ask_price: 3001, bid_price: 3000 }] },
    // (1010 - 1000) / 1005 = 0.995% > 0.3%
    { market: 'KRW-WIDE', orderbook_units: [{ ask_price: 1010, bid_price: 1000 }] },
  ],
  size: 10,
});

describe('universe', () => {
  it('keeps liquid KRW markets without warnings, most traded first', () => {
    expect(selectUniverse(input())).toEqual(['KRW-BTC', 'KRW-XRP', 'KRW-ETH']);
  });

  it('says why each market was left out', () => {
    const { excluded } = screenUniverse(input());
    const reason = Object.fromEntries(excluded.map((e) => [e.market, e.reason]));
    expect(reason['KRW-WARN']).toBe('investment warning');
    expect(reason['KRW-CAUT']).toBe('caution: TRADING_VOLUME_SOARING');
    expect(reason['KRW-THIN']).toMatch(/24h traded value 100000000 KRW/);
    expect(reason['KRW-WIDE']).toMatch(/spread 0.995%/);
    expect(reason['KRW-GONE']).toMatch(/delisting/);
    expect(reason['BTC-ETH']).toBeUndefined();
  });

  it('applies the 30-day average, the top N and explicit exclusions', () => {
    const daily = { 'KRW-ETH': Array(30).fill(0.5 * B), 'KRW-XRP': [...Array(29).fill(2 * B), 100 * B] };
    expect(selectUniverse({ ...input(), dailyValues: daily })).toEqual(['KRW-BTC', 'KRW-XRP']);
    expect(selectUniverse({ ...input(), size: 1 })).toEqual(['KRW-BTC']);
    expect(selectUniverse({ ...input(), exclude: ['KRW-BTC'] })).toEqual(['KRW-XRP', 'KRW-ETH']);
    expect(selectUniverse({ ...input(), excludeCaution: false })).toEqual([
      'KRW-CAUT',
      'KRW-BTC',
      'KRW-XRP',
      'KRW-ETH',
    ]);
  });

  it('does not depend on input order', () => {
    const i = input();
    const reversed = { ...i, markets: [...i.markets].reverse(), tickers: [...i.tickers].reverse() };
    expect(selectUniverse(reversed)).toEqual(selectUniverse(i));
  });
});
