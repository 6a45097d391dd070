import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOnTick } from '../../core/market';
import { type Database, openDatabase } from '../../prisma/db';
import { type Simulator, startSimulator } from './server';
import { specClient } from './spec-client';
import { SyntheticFeed } from './synthetic-feed';

const NOW = Date.UTC(2026, 10, 21, 3, 30, 15);

describe('synthetic feed', () => {
  it('is a pure function of the seed', async () => {
    const a = await new SyntheticFeed({ seed: 42, tickMs: 250, historyMinutes: 1000 }).init(NOW);
    const b = await new SyntheticFeed({ seed: 42, tickMs: 250, historyMinutes: 1000 }).init(NOW);
    const c = await new SyntheticFeed({ seed: 43, tickMs: 250, historyMinutes: 1000 }).init(NOW);
    expect(a[3].minuteLayer.candles).toEqual(b[3].minuteLayer.candles);
    expect(a[3].minuteLayer.candles).not.toEqual(c[3].minuteLayer.candles);
  });

  it('ends at each market reference price on the tick grid, with 1,000+ minute candles and sane bars', async () => {
    const states = await new SyntheticFeed({ seed: 5, tickMs: 250, historyMinutes: 1000 }).init(NOW);
    expect(states.length).toBeGreaterThanOrEqual(30);
    const btc = states.find((s) => s.market === 'KRW-BTC')!;
    expect(btc.last / 140_000_000).toBeGreaterThan(0.99);
    expect(btc.last / 140_000_000).toBeLessThan(1.01);
    expect(states.some((s) => s.last < 1)).toBe(true);
    for (const s of states) {
      expect(s.minuteLayer.candles.length).toBeGreaterThanOrEqual(1000);
      const bad = s.layers
        .flatMap((l) => l.candles)
        .filter((c) => c.h < Math.max(c.o, c.c) || c.l > Math.min(c.o, c.c) || !(c.v > 0));
      expect(bad).toEqual([]);
      for (const c of s.minuteLayer.candles.slice(-50))
        for (const p of [c.o, c.h, c.l, c.c]) expect(isOnTick('KRW', String(p))).toBe(true);
      expect(s.asks[0].price).toBeGreaterThan(s.bids[0].price);
    }
  });

  it('moves altcoins with BTC', async () => {
    const states = await new SyntheticFeed({ seed: 9, tickMs: 250, historyMinutes: 3000 }).init(NOW);
    const returns = (market: string) => {
      const closes = states.find((s) => s.market === market)!.layers[1].candles.map((c) => c.c);
      return closes.slice(1).map((c, i) => Math.log(c / closes[i]));
    };
    const x = returns('KRW-BTC');
    const y = returns('KRW-ETH');
    const mean = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;
    const mx = mean(x);
    const my = mean(y);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) ** 2;
      syy += (y[i] - my) ** 2;
    }
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.4);
  });
});

describe('replay feed', () => {
  let db: Database;
  let sim: Simulator;
  const start = Date.UTC(2024, 0, 1);
  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: 'memory://' });
    const rows = Array.from({ length: 1100 }, (_, i) => {
      const open = 50_000_000 + i * 10_000;
      return {
        market: 'KRW-BTC',
        timeframe: '1m',
        ts: new Date(start + i * 60_000),
        open: String(open),
        high: String(open + 30_000),
        low: String(open - 20_000),
        close: String(open + 10_000),
        volume: '1.5',
        value: null,
        source: 'test',
      };
    });
    await db.prisma.candle.createMany({ data: rows });
    sim = await startSimulator({
      port: 0,
      feed: 'replay',
      replay: { prisma: db.prisma, historyCount: 1000, speed: 600 },
      tickMs: 50,
    });
  });
  afterAll(async () => {
    await sim?.close();
    await db?.close();
  });

  it('serves the stored history as candles, then trades the stored path at the chosen speed', async () => {
    const hist = await axios.get(`${sim.baseUrl}/v1/candles/minutes/1?market=KRW-BTC&count=200`);
    // The newest history candle is stored candle #999 (close 50,000,000 + 999 x 10,000 + 10,000).
    const newestHistory = hist.data.find((c: { trade_price: number }) => c.trade_price === 60_000_000);
    expect(newestHistory).toBeDefined();
    await new Promise((r) => setTimeout(r, 1500));
    const [t] = (await axios.get(`${sim.baseUrl}/v1/ticker?markets=KRW-BTC`)).data;
    // 1.5 s at 600x is 15 replayed minutes: the price follows the stored path upwards.
    expect(t.trade_price).toBeGreaterThan(60_000_000);
    expect(t.trade_price).toBeLessThanOrEqual(61_000_000 + 30_000);
    const ticks = (await axios.get(`${sim.baseUrl}/v1/trades/ticks?market=KRW-BTC&count=20`)).data;
    expect(ticks.length).toBeGreaterThan(4);
  });
});

describe('live (paper) feed', () => {
  let upstream: Simulator;
  let paper: Simulator;
  beforeAll(async () => {
    upstream = await startSimulator({ port: 0, seed: 21, tickMs: 600_000, historyMinutes: 300 });
    paper = await startSimulator({
      port: 0,
      feed: 'live',
      live: { upstream: upstream.baseUrl, markets: ['KRW-BTC', 'KRW-XRP'], pollMs: 300 },
      tickMs: 50,
      accounts: [{ accessKey: 'paper', secretKey: 'paper-secret', krw: '100000' }],
    });
  });
  afterAll(async () => {
    await paper?.close();
    await upstream?.close();
  });

  it('shows the upstream book and fills a resting order when the upstream trades through it', async () => {
    const [up] = (await axios.get(`${upstream.baseUrl}/v1/orderbook?markets=KRW-XRP`)).data;
    const [mine] = (await axios.get(`${paper.baseUrl}/v1/orderbook?markets=KRW-XRP`)).data;
    expect(mine.orderbook_units[0]).toEqual(up.orderbook_units[0]);
    const api = specClient(paper.baseUrl, 'paper', 'paper-secret');
    const bidPrice = up.orderbook_units[3].bid_price;
    const r = await api.call('POST', '/v1/orders', {
      market: 'KRW-XRP',
      side: 'bid',
      ord_type: 'limit',
      price: String(bidPrice),
      volume: '2',
    });
    expect(r.status).toBe(201);
    await new Promise((res) => setTimeout(res, 300));
    expect((await api.call('GET', '/v1/order', { uuid: r.data.uuid })).data.state).toBe('wait');
    // The upstream trades below the bid; the paper exchange sees the trade on its next poll.
    upstream.setPrice('KRW-XRP', bidPrice - 20);
    let state = 'wait';
    for (let i = 0; i < 40 && state === 'wait'; i++) {
      await new Promise((res) => setTimeout(res, 100));
      state = (await api.call('GET', '/v1/order', { uuid: r.data.uuid })).data.state;
    }
    expect(state).toBe('done');
    const [t] = (await axios.get(`${paper.baseUrl}/v1/ticker?markets=KRW-XRP`)).data;
    expect(t.trade_price).toBe(bidPrice - 20);
  });
});
