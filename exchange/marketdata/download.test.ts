import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../prisma/db';
import { type Simulator, startSimulator } from '../sim/server';
import { UpbitClient } from '../upbit/client';
import { downloadCandles, upbitCandleTs } from './download';
import { loadCandles } from './load';
import { qualityReport } from './quality-report';

type Db = Awaited<ReturnType<typeof openDatabase>>;

const MINUTE = 60_000;
let sim: Simulator;
let client: UpbitClient;
/** The client's warnings: a 429 from the simulator's rate limiter would show here. */
const warnings: string[] = [];
/** Download clock: the minute the simulator started in, so every candle before it is settled history. */
let T: number;
const dbs: Db[] = [];

async function freshDb(): Promise<Db> {
  const db = await openDatabase({ databaseUrl: 'memory://' });
  dbs.push(db);
  return db;
}

async function storedTs(db: Db, market: string, timeframe = 'minute1'): Promise<number[]> {
  const rows = await db.prisma.candle.findMany({ where: { market, timeframe }, orderBy: { ts: 'asc' } });
  return rows.map((r) => r.ts.getTime());
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 7, historyMinutes: 1500 });
  client = new UpbitClient({ baseUrl: sim.baseUrl, logger: { warn: (_obj, msg) => warnings.push(msg) } });
  T = Math.floor(Date.now() / MINUTE) * MINUTE;
});

afterEach(() => {
  // Paced by the client, no request was refused for going too fast.
  expect(warnings).toEqual([]);
});

afterAll(async () => {
  for (const db of dbs) await db.close();
  await sim?.close();
});

describe('downloadCandles against the simulator', () => {
  it('pages backwards across several pages and stores every closed candle exactly as served', async () => {
    const db = await freshDb();
    const from = T - 1000 * MINUTE;
    const progress: number[] = [];
    const r = await downloadCandles({
      client,
      db,
      market: 'KRW-BTC',
      timeframe: 'minute1',
      from,
      to: T + 10 * MINUTE, // beyond now: the forming minute and the future are never stored
      now: () => T + 30_000,
      source: 'sim',
      onProgress: (p) => progress.push(p.fraction),
    });
    expect(r.ranges).toEqual([[from, T]]);
    expect(r.pages).toBeGreaterThanOrEqual(5); // 1000 minutes at 200 per page
    const ts = await storedTs(db, 'KRW-BTC');
    expect(r.inserted).toBe(ts.length);
    // The synthetic market trades every minute, so the range is complete: no gap, nothing outside it.
    expect(ts.length).toBe(1000);
    expect(ts[0]).toBe(from);
    expect(ts[ts.length - 1]).toBe(T - MINUTE);
    const quality = await qualityReport(db, { market: 'KRW-BTC', timeframe: 'minute1', from, to: T });
    expect(quality.report?.gaps).toBe(0);
    // Progress only grows and ends complete.
    expect(progress.length).toBe(r.pages);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(progress[progress.length - 1]).toBe(1);

    // Spot check against a direct request: the candle that opened at T-500 min.
    const [direct] = await client.candles({
      market: 'KRW-BTC',
      unit: 'minutes',
      minutes: 1,
      to: new Date(T - 499 * MINUTE),
      count: 1,
    });
    expect(upbitCandleTs(direct)).toBe(T - 500 * MINUTE);
    const loaded = await loadCandles(db, {
      markets: ['KRW-BTC'],
      timeframe: 'minute1',
      from: T - 500 * MINUTE,
      to: T - 499 * MINUTE,
    });
    expect(loaded['KRW-BTC']).toEqual([
      {
        ts: T - 500 * MINUTE,
        open: direct.opening_price,
        high: direct.high_price,
        low: direct.low_price,
        close: direct.trade_price,
        volume: direct.candle_acc_trade_volume,
        value: direct.candle_acc_trade_price,
      },
    ]);

    // Rerun: nothing is missing, nothing is fetched or inserted.
    const again = await downloadCandles({
      client,
      db,
      market: 'KRW-BTC',
      timeframe: 'minute1',
      from,
      to: T,
      now: () => T,
    });
    expect(again).toMatchObject({ ranges: [], pages: 0, inserted: 0 });
    expect((await storedTs(db, 'KRW-BTC')).length).toBe(1000);
  });

  it('resumes an interrupted run by fetching only the range before the oldest stored candle', async () => {
    const db = await freshDb();
    const from = T - 900 * MINUTE;
    const args = { client, db, market: 'KRW-ETH', timeframe: 'minute1' as const, from, to: T, now: () => T };
    let pages = 0;
    await expect(
      downloadCandles({
        ...args,
        onProgress: () => {
          // The user stops the download after two pages.
          if (++pages === 2) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    const partial = await storedTs(db, 'KRW-ETH');
    expect(partial).toHaveLength(400);
    expect(partial[partial.length - 1]).toBe(T - MINUTE);

    const resumed = await downloadCandles(args);
    expect(resumed.ranges).toEqual([[from, partial[0]]]);
    expect(resumed.inserted).toBe(500);

    // Same result as one uninterrupted download into another database.
    const clean = await freshDb();
    await downloadCandles({ ...args, db: clean });
    const a = await loadCandles(db, { markets: ['KRW-ETH'], timeframe: 'minute1', from, to: T });
    const b = await loadCandles(clean, { markets: ['KRW-ETH'], timeframe: 'minute1', from, to: T });
    expect(a['KRW-ETH']).toHaveLength(900);
    expect(a).toEqual(b);
  });

  it('extends forward from the newest stored candle when the range grows later', async () => {
    const db = await freshDb();
    const from = T - 600 * MINUTE;
    const args = { client, db, market: 'KRW-XRP', timeframe: 'minute1' as const, from };
    const first = await downloadCandles({ ...args, to: T - 300 * MINUTE, now: () => T });
    expect(first.inserted).toBe(300);
    const later = await downloadCandles({ ...args, to: T, now: () => T });
    expect(later.ranges).toEqual([[T - 300 * MINUTE, T]]);
    expect(later.pages).toBe(2); // two windows of at most 200 minutes
    expect(later.inserted).toBe(300);
    const ts = await storedTs(db, 'KRW-XRP');
    expect(ts).toHaveLength(600);
    expect(new Set(ts.map((t, i) => t - i * MINUTE))).toEqual(new Set([from])); // contiguous, one per minute
  });

  it('stops at the start of the available history and maps day candles to /candles/days', async () => {
    const db = await freshDb();
    // Further back than the simulator's minute history (1500 minutes + the hour it starts in).
    const from = T - 3000 * MINUTE;
    const r = await downloadCandles({ client, db, market: 'KRW-SOL', timeframe: 'minute1', from, to: T, now: () => T });
    const ts = await storedTs(db, 'KRW-SOL');
    expect(ts.length).toBeGreaterThanOrEqual(1500);
    expect(ts.length).toBeLessThan(1560);
    const older = await client.candles({
      market: 'KRW-SOL',
      unit: 'minutes',
      minutes: 1,
      to: new Date(ts[0]),
      count: 10,
    });
    expect(older).toEqual([]); // nothing older exists, so stopping there lost nothing
    expect(r.pages).toBe(Math.ceil(ts.length / 200) + 1); // the last request is the empty page

    const days = await downloadCandles({
      client,
      db,
      market: 'KRW-SOL',
      timeframe: 'day',
      from: T - 20 * 86_400_000,
      to: T,
      now: () => T,
    });
    const dayTs = await storedTs(db, 'KRW-SOL', 'day');
    expect(days.inserted).toBe(dayTs.length);
    expect(dayTs.length).toBeGreaterThanOrEqual(19);
    expect(dayTs.every((t) => t % 86_400_000 === 0)).toBe(true); // Upbit's days start 00:00 UTC
    expect(dayTs[dayTs.length - 1]).toBeLessThan(Math.floor(T / 86_400_000) * 86_400_000); // today is still forming
  });
});
