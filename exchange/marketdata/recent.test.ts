// A session's warm-up against the simulator's candle API and PGlite: with the database holding the history the
// exchange is asked for nothing (or only the tail after the newest stored minute); requests counted at the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeframe } from '../../core/market';
import { openDatabase } from '../../prisma/db';
import { minuteBucket } from '../sim/candles';
import { type Simulator, startSimulator } from '../sim/server';
import { UpbitClient } from '../upbit/client';
import { fetchRecentCandles } from './download';
import { recentClosedCandles } from './recent';
import { insertCandles } from './store';

type Db = Awaited<ReturnType<typeof openDatabase>>;
const MINUTE = 60_000;
const MARKET = 'KRW-BTC';
const COUNT = 200;
const TIMEFRAME_MS = { minute1: MINUTE, minute5: 5 * MINUTE, minute15: 15 * MINUTE, minute60: 60 * MINUTE };

let sim: Simulator;
let db: Db;
let client: UpbitClient;

const candleRequests = () =>
  [...sim.requests].filter(([path]) => path.startsWith('/v1/candles/')).reduce((n, [, k]) => n + k, 0);

/** Stores the simulator's closed 1-minute candles of MARKET before `until`, as the collector would. */
async function storeMinutes(until: number) {
  const rows = sim.markets
    .get(MARKET)!
    .minuteLayer.candles.filter((c) => c.t < until)
    .map((c) => ({
      market: MARKET,
      timeframe: 'minute1' as const,
      ts: c.t,
      open: c.o,
      high: c.h,
      low: c.l,
      close: c.c,
      volume: c.v,
      value: c.q,
      source: 'sim',
    }));
  await insertCandles(db, rows);
}

beforeAll(async () => {
  // 200 hourly bars built from minutes need 200 hours of minutes.
  sim = await startSimulator({ port: 0, seed: 11, historyMinutes: 210 * 60, rateLimitScale: 0 });
  db = await openDatabase({ databaseUrl: 'memory://' });
  client = new UpbitClient({ baseUrl: sim.baseUrl, retryBaseMs: 50 });
}, 120_000);

afterAll(async () => {
  await sim?.close();
  await db?.close();
});

describe('recentClosedCandles', () => {
  it('serves a warm-up from the database: no candle request up to hourly bars, the same bars the exchange serves', async () => {
    const now = Date.now();
    await storeMinutes(minuteBucket(now));
    const before = candleRequests();
    for (const tf of ['minute1', 'minute5', 'minute15', 'minute60'] as Timeframe[]) {
      const r = await recentClosedCandles({ db, client, market: MARKET, timeframe: tf, count: COUNT, now });
      expect(r.source, tf).toBe('database');
      expect(r.candles.length, tf).toBe(COUNT);
      // The bars built from stored minutes are the exchange's own (compared after counting; its page of 200 holds
      // the forming bar, so one stored bar less is compared).
      const exchange = new Map((await fetchRecentCandles(client, MARKET, tf, COUNT)).map((c) => [c.ts, c]));
      const common = r.candles.filter((c) => exchange.has(c.ts));
      // A bar that closed between `now` and the exchange's answer pushes one more of the stored bars out of its page.
      const barMs = TIMEFRAME_MS[tf as keyof typeof TIMEFRAME_MS];
      const closedSince = Math.floor(Date.now() / barMs) - Math.floor(now / barMs);
      expect(common.length, tf).toBeGreaterThanOrEqual(COUNT - 1 - closedSince);
      for (const c of common) {
        const e = exchange.get(c.ts)!;
        expect([c.ts, c.open, c.high, c.low, c.close], tf).toEqual([e.ts, e.open, e.high, e.low, e.close]);
      }
    }
    // Four comparison fetches, and no warm-up fetch.
    expect(candleRequests() - before).toBe(4);

    // Daily bars are neither stored nor built from minutes: the exchange serves them.
    const atDay = candleRequests();
    const day = await recentClosedCandles({ db, client, market: MARKET, timeframe: 'day', count: COUNT, now });
    expect(day.source).toBe('exchange');
    expect(candleRequests() - atDay).toBe(1);
  });

  it('asks the exchange only for the minutes after the newest stored one', async () => {
    const now = Date.now();
    // The database is five minutes behind.
    await db.prisma.candle.deleteMany({
      where: { market: MARKET, timeframe: 'minute1', ts: { gte: new Date(minuteBucket(now) - 5 * MINUTE) } },
    });
    const before = candleRequests();
    const r = await recentClosedCandles({ db, client, market: MARKET, timeframe: 'minute1', count: COUNT, now });
    expect(candleRequests() - before).toBe(1);
    expect(r).toMatchObject({ source: 'database' });
    expect(r.tail).toBeGreaterThanOrEqual(4); // a minute without trades would be missing on the exchange too
    expect(r.candles.length).toBeLessThanOrEqual(COUNT);
    expect(r.candles[r.candles.length - 1].ts).toBe(minuteBucket(now) - MINUTE);
    const ts = r.candles.map((c) => c.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(new Set(ts).size).toBe(ts.length);
  });

  it('falls back to the exchange when the database does not reach back over the window', async () => {
    const now = Date.now();
    const before = candleRequests();
    const r = await recentClosedCandles({ db, client, market: 'KRW-ETH', timeframe: 'minute1', count: COUNT, now });
    expect(r.source).toBe('exchange');
    expect(candleRequests() - before).toBe(1);
    expect(r.candles.length).toBeGreaterThan(COUNT - 10);
  });
});
