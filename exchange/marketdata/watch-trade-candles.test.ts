import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../prisma/db';
import { type Simulator, startSimulator } from '../sim/server';
import { UpbitStream, type WsTrade } from '../upbit/websocket';
import type { TradeCandle } from './trade-candles';
import { watchTradeCandles } from './watch-trade-candles';

type Db = Awaited<ReturnType<typeof openDatabase>>;

let sim: Simulator;
let db: Db;
let stream: UpbitStream;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 3, tickMs: 50, historyMinutes: 60 });
  db = await openDatabase({ databaseUrl: 'memory://' });
  stream = new UpbitStream({ url: sim.wsUrl });
});

afterAll(async () => {
  stream?.close();
  await db?.close();
  await sim?.close();
});

describe('watchTradeCandles on the simulator trade stream', () => {
  it('turns the trades it saw into minute candles and stores them', async () => {
    const markets = ['KRW-BTC', 'KRW-ETH'];
    const candles: TradeCandle[] = [];
    const dropped: string[] = [];
    let clock = Date.now();
    const watcher = await watchTradeCandles({
      stream,
      markets,
      store: db,
      now: () => clock,
      onCandle: (c) => candles.push(c),
      onDropped: (t, reason) => dropped.push(`${t.sequentialId} ${reason}`),
    });
    // An independent record of the same frames, to check the candles against.
    const seen: WsTrade[] = [];
    const record = (f: WsTrade) => seen.push(f);
    stream.on('trade', record);
    const deadline = Date.now() + 20_000;
    while (new Set(seen.map((f) => f.code)).size < markets.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1500));
    stream.off('trade', record);
    clock = Date.now() + 120_000; // every minute seen so far has ended
    await watcher.stop();

    expect(new Set(seen.map((f) => f.code))).toEqual(new Set(markets));
    expect(dropped).toEqual([]);
    // Reference: group the recorded frames by market and UTC minute.
    const expected = new Map<
      string,
      { open: WsTrade; close: WsTrade; high: number; low: number; volume: number; n: number }
    >();
    for (const f of [...seen].sort((a, b) => a.trade_timestamp - b.trade_timestamp)) {
      const key = `${f.code} ${Math.floor(f.trade_timestamp / 60_000) * 60_000}`;
      const e = expected.get(key);
      if (!e)
        expected.set(key, { open: f, close: f, high: f.trade_price, low: f.trade_price, volume: f.trade_volume, n: 1 });
      else {
        e.close = f;
        e.high = Math.max(e.high, f.trade_price);
        e.low = Math.min(e.low, f.trade_price);
        e.volume += f.trade_volume;
        e.n++;
      }
    }
    const finals = new Map(candles.map((c) => [`${c.market} ${c.ts}`, c])); // a revision replaces its candle
    expect([...finals.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, e] of expected) {
      const c = finals.get(key)!;
      expect(c.open).toBe(e.open.trade_price);
      expect(c.close).toBe(e.close.trade_price);
      expect(c.high).toBe(e.high);
      expect(c.low).toBe(e.low);
      expect(c.volume).toBeCloseTo(e.volume, 8);
      expect(c.trades).toBe(e.n);
    }

    const stored = await db.prisma.candle.findMany({ where: { timeframe: 'minute1', source: 'trades' } });
    expect(stored).toHaveLength(finals.size);
    for (const row of stored) {
      const c = finals.get(`${row.market} ${row.ts.getTime()}`)!;
      expect(row.close.toNumber()).toBe(c.close);
      expect(row.volume.toNumber()).toBe(c.volume);
    }
  });
});
