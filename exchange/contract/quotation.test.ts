// Quotation REST: our client against the simulator, checking the shapes Upbit documents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickSize } from '../../core/market';
import type { UpbitClient } from '../upbit/client';
import { CodeNotFound, QuotationBadRequest, UpbitError } from '../upbit/errors';
import type { Candle } from '../upbit/types';
import { type SimHandle, startSim } from './simulator';

let sim: SimHandle;
let client: UpbitClient;

beforeAll(async () => {
  sim = await startSim();
  client = sim.client();
});
afterAll(async () => {
  await sim?.close();
});

const UTC_STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

function expectCandleShape(c: Candle, market: string): void {
  expect(c.market).toBe(market);
  expect(c.candle_date_time_utc).toMatch(UTC_STAMP);
  expect(c.candle_date_time_kst).toMatch(UTC_STAMP);
  // KST is UTC+9.
  expect(Date.parse(`${c.candle_date_time_kst}Z`) - Date.parse(`${c.candle_date_time_utc}Z`)).toBe(9 * 3600_000);
  for (const k of ['opening_price', 'high_price', 'low_price', 'trade_price', 'timestamp'] as const) {
    expect(typeof c[k], k).toBe('number');
  }
  expect(c.high_price).toBeGreaterThanOrEqual(Math.max(c.opening_price, c.trade_price, c.low_price));
  expect(c.low_price).toBeLessThanOrEqual(Math.min(c.opening_price, c.trade_price));
  expect(c.candle_acc_trade_volume).toBeGreaterThanOrEqual(0);
  expect(c.candle_acc_trade_price).toBeGreaterThanOrEqual(0);
}

function expectNewestFirst(candles: Candle[]): void {
  for (let i = 1; i < candles.length; i++) {
    expect(candles[i].candle_date_time_utc < candles[i - 1].candle_date_time_utc).toBe(true);
  }
}

describe('markets', () => {
  it('lists KRW markets with names; market_event only when details are asked for', async () => {
    const plain = await client.markets();
    const btc = plain.find((m) => m.market === 'KRW-BTC');
    expect(btc).toBeDefined();
    expect(typeof btc?.korean_name).toBe('string');
    expect(typeof btc?.english_name).toBe('string');
    expect(btc?.market_event).toBeUndefined();
    const detailed = await client.markets({ details: true });
    const d = detailed.find((m) => m.market === 'KRW-BTC');
    expect(typeof d?.market_event?.warning).toBe('boolean');
    expect(typeof d?.market_event?.caution).toBe('object');
  });
});

describe('candles', () => {
  it('minutes: newest first, `unit` set, count respected, `to` exclusive', async () => {
    const candles = await client.candles({ market: 'KRW-BTC', unit: 'minutes', minutes: 5, count: 20 });
    expect(candles).toHaveLength(20);
    candles.forEach((c) => {
      expectCandleShape(c, 'KRW-BTC');
      expect(c.unit).toBe(5);
      expect(Number(c.candle_date_time_utc.slice(14, 16)) % 5).toBe(0);
    });
    expectNewestFirst(candles);
    // Page older with `to` = the oldest bucket start: that bucket itself is excluded.
    const oldest = candles[candles.length - 1].candle_date_time_utc;
    const older = await client.candles({
      market: 'KRW-BTC',
      unit: 'minutes',
      minutes: 5,
      to: new Date(`${oldest}Z`),
      count: 3,
    });
    expect(older.length).toBeGreaterThan(0);
    for (const c of older) expect(c.candle_date_time_utc < oldest).toBe(true);
  });

  it('every minute unit Upbit offers', async () => {
    for (const minutes of [1, 3, 10, 15, 30, 60, 240] as const) {
      const [c] = await client.candles({ market: 'KRW-ETH', unit: 'minutes', minutes, count: 1 });
      expectCandleShape(c, 'KRW-ETH');
      expect(c.unit).toBe(minutes);
    }
  });

  it('seconds, days (with change fields), weeks and months (with first_day_of_period)', async () => {
    const seconds = await client.candles({ market: 'KRW-BTC', unit: 'seconds', count: 5 });
    expect(seconds.length).toBeGreaterThan(0);
    for (const c of seconds) expectCandleShape(c, 'KRW-BTC');
    expectNewestFirst(seconds);

    const days = await client.candles({ market: 'KRW-BTC', unit: 'days', count: 3 });
    expect(days).toHaveLength(3);
    days.forEach((c) => {
      expectCandleShape(c, 'KRW-BTC');
      expect(c.candle_date_time_utc.endsWith('T00:00:00')).toBe(true);
      expect(typeof c.prev_closing_price).toBe('number');
      expect(typeof c.change_price).toBe('number');
      expect(typeof c.change_rate).toBe('number');
    });
    expectNewestFirst(days);
    // A day's change is measured against the previous day's close.
    expect(days[0].prev_closing_price).toBe(days[1].trade_price);

    for (const unit of ['weeks', 'months'] as const) {
      const [c] = await client.candles({ market: 'KRW-BTC', unit, count: 1 });
      expectCandleShape(c, 'KRW-BTC');
      expect(c.first_day_of_period).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('an unknown market is a typed 404, a bad count a typed 400, both naming the request', async () => {
    const notFound = await client.candles({ market: 'KRW-NOPE', unit: 'days' }).catch((e) => e);
    expect(notFound).toBeInstanceOf(CodeNotFound);
    expect(notFound.httpStatus).toBe(404);
    expect(notFound.upbitName).toBe('404');
    expect(notFound.message).toContain('GET /v1/candles/days {"market":"KRW-NOPE"}');
    const bad = await client
      .candles({ market: 'KRW-BTC', unit: 'days', count: 'many' as unknown as number })
      .catch((e) => e);
    expect(bad).toBeInstanceOf(QuotationBadRequest);
    expect(bad.retryable).toBe(false);
  });
});

describe('ticker, orderbook, trades', () => {
  it('ticker: one row per market with signed changes consistent with `change`', async () => {
    const tickers = await client.ticker(['KRW-BTC', 'KRW-ETH']);
    expect(tickers.map((t) => t.market).sort()).toEqual(['KRW-BTC', 'KRW-ETH']);
    for (const t of tickers) {
      expect(t.trade_price).toBeGreaterThan(0);
      expect(t.trade_date).toMatch(/^\d{8}$/);
      expect(t.trade_time).toMatch(/^\d{6}$/);
      expect(['RISE', 'EVEN', 'FALL']).toContain(t.change);
      const sign = t.change === 'RISE' ? 1 : t.change === 'FALL' ? -1 : 0;
      expect(Math.sign(t.signed_change_price)).toBe(sign);
      expect(Math.abs(t.signed_change_price)).toBeCloseTo(t.change_price, 8);
      expect(t.change_price).toBeCloseTo(Math.abs(t.trade_price - t.prev_closing_price), 6);
      expect(t.highest_52_week_price).toBeGreaterThanOrEqual(t.trade_price);
      expect(t.lowest_52_week_price).toBeLessThanOrEqual(t.trade_price);
      expect(t.highest_52_week_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    const missing = await client.ticker(['KRW-NOPE']).catch((e) => e);
    expect(missing).toBeInstanceOf(CodeNotFound);
  });

  it('ticker/all lists every KRW market; orderbook/instruments gives the tick core/market computes', async () => {
    const all = await client.tickerAll(['KRW']);
    const markets = await client.markets();
    expect(all.map((t) => t.market).sort()).toEqual(
      markets
        .map((m) => m.market)
        .filter((m) => m.startsWith('KRW-'))
        .sort(),
    );
    const [ticker] = await client.ticker(['KRW-BTC']);
    const [instrument] = await client.orderbookInstruments(['KRW-BTC']);
    expect(instrument.market).toBe('KRW-BTC');
    expect(instrument.quote_currency).toBe('KRW');
    expect(instrument.tick_size).toBe(tickSize('KRW', ticker.trade_price).toFixed());
  });

  it('orderbook: asks ascending above bids descending, totals add up, count honoured', async () => {
    const [book] = await client.orderbook(['KRW-BTC']);
    expect(book.market).toBe('KRW-BTC');
    expect(book.orderbook_units.length).toBeGreaterThan(0);
    expect(book.orderbook_units.length).toBeLessThanOrEqual(30);
    const u = book.orderbook_units;
    expect(u[0].ask_price).toBeGreaterThan(u[0].bid_price);
    for (let i = 1; i < u.length; i++) {
      expect(u[i].ask_price).toBeGreaterThan(u[i - 1].ask_price);
      expect(u[i].bid_price).toBeLessThan(u[i - 1].bid_price);
    }
    expect(book.total_ask_size).toBeCloseTo(
      u.reduce((s, x) => s + x.ask_size, 0),
      6,
    );
    expect(book.total_bid_size).toBeCloseTo(
      u.reduce((s, x) => s + x.bid_size, 0),
      6,
    );
    const [five] = await client.orderbook(['KRW-BTC'], { count: 5 });
    expect(five.orderbook_units).toHaveLength(5);
  });

  it('trades: newest first, count honoured, cursor pages strictly older', async () => {
    const page = await client.trades({ market: 'KRW-BTC', count: 10 });
    expect(page).toHaveLength(10);
    for (const t of page) {
      expect(t.market).toBe('KRW-BTC');
      expect(t.trade_date_utc).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(t.trade_time_utc).toMatch(/^\d{2}:\d{2}:\d{2}$/);
      expect(['ASK', 'BID']).toContain(t.ask_bid);
      expect(t.trade_volume).toBeGreaterThan(0);
    }
    for (let i = 1; i < page.length; i++) expect(page[i].timestamp).toBeLessThanOrEqual(page[i - 1].timestamp);
    const last = page[page.length - 1];
    const older = await client.trades({ market: 'KRW-BTC', count: 5, cursor: last.sequential_id });
    const seen = new Set(page.map((t) => t.sequential_id));
    expect(older.length).toBeGreaterThan(0);
    for (const t of older) {
      expect(seen.has(t.sequential_id)).toBe(false);
      expect(t.timestamp).toBeLessThanOrEqual(last.timestamp);
    }
  });

  it('replies carry Remaining-Req for their own group', async () => {
    const res = await fetch(`${sim.origin}/v1/ticker?markets=KRW-BTC`);
    expect(res.headers.get('remaining-req')).toMatch(/^group=ticker; min=\d+; sec=\d+$/);
    const candle = await fetch(`${sim.origin}/v1/candles/minutes/1?market=KRW-BTC`);
    expect(candle.headers.get('remaining-req')).toMatch(/group=candle;/);
  });

  it('errors are UpbitError instances, never bare axios errors', async () => {
    const err = await client.orderbook(['KRW-NOPE']).catch((e) => e);
    expect(err).toBeInstanceOf(UpbitError);
  });
});
