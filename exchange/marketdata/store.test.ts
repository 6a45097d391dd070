import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../prisma/db';
import { type CandleRow, insertCandles, storedSpan, TRADE_STREAM_SOURCE } from './store';

type Db = Awaited<ReturnType<typeof openDatabase>>;
let db: Db;
beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
});
afterAll(async () => {
  await db?.close();
});

const T = Date.UTC(2025, 5, 1, 12, 0);
const row = (minute: number, close: string, source: string): CandleRow => ({
  market: 'KRW-BTC',
  timeframe: 'minute1',
  ts: T + minute * 60_000,
  open: close,
  high: close,
  low: close,
  close,
  volume: '1',
  value: close,
  source,
});
const closeAt = async (minute: number) => {
  const r = await db.prisma.candle.findUniqueOrThrow({
    where: { market_timeframe_ts: { market: 'KRW-BTC', timeframe: 'minute1', ts: new Date(T + minute * 60_000) } },
  });
  return `${r.close.toString()} ${r.source}`;
};

describe('insertCandles', () => {
  it('keeps the first stored candle, except a provisional trade-stream one, which a revision or a REST candle replaces', async () => {
    expect(await insertCandles(db, [row(0, '100', 'upbit'), row(1, '200', TRADE_STREAM_SOURCE)])).toBe(2);
    // A second REST candle for minute 0 changes nothing; a trade candle does not overwrite a REST one.
    expect(await insertCandles(db, [row(0, '101', 'upbit')])).toBe(0);
    expect(await insertCandles(db, [row(0, '102', TRADE_STREAM_SOURCE)])).toBe(0);
    expect(await closeAt(0)).toBe('100 upbit');
    // A revised trade candle replaces the earlier one; then the REST candle replaces it for good.
    expect(await insertCandles(db, [row(1, '201', TRADE_STREAM_SOURCE)])).toBe(1);
    expect(await closeAt(1)).toBe('201 trades');
    expect(await insertCandles(db, [row(1, '205', 'upbit')])).toBe(1);
    expect(await closeAt(1)).toBe('205 upbit');
    expect(await insertCandles(db, [row(1, '206', TRADE_STREAM_SOURCE)])).toBe(0);
    expect(await closeAt(1)).toBe('205 upbit');
  });

  it('leaves trade-stream candles out of the stored span, so a download still fetches their range', async () => {
    await insertCandles(db, [row(10, '300', TRADE_STREAM_SOURCE), row(11, '301', TRADE_STREAM_SOURCE)]);
    const span = await storedSpan(db, 'KRW-BTC', 'minute1');
    expect(span).toEqual({ first: T, last: T + 60_000, count: 2 });
  });
});
