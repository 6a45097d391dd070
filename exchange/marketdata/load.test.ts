// Stored candles read back as numbers, in bounded time ranges: the same numbers Decimal.toNumber() gives for the
// stored decimals, a value only where one is stored, and no bar lost or read twice where one read ends and the
// next begins.
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../core/market';
import { type Database, openDatabase } from '../../prisma/db';
import { loadCandles } from './load';
import { insertCandles } from './store';

let db: Database;
const T0 = Date.parse('2025-01-01T00:00:00Z');
/** One read's span of 1-minute bars (PAGE_BARS minutes). */
const SPAN = 20_000 * MINUTE_MS;

const row = (ts: number, price: string, value: string | null) => ({
  market: 'KRW-BTC',
  timeframe: 'minute1' as const,
  ts,
  open: price,
  high: new Decimal(price).mul(1.5).toFixed(),
  low: new Decimal(price).div(2).toFixed(),
  close: price,
  volume: '12345.678901234567890123',
  value,
  source: 'import',
});

// Bars on both sides of the first two read boundaries, and at the range's ends.
const TIMES = [0, SPAN - MINUTE_MS, SPAN, SPAN + MINUTE_MS, 2 * SPAN - MINUTE_MS, 2 * SPAN, 2 * SPAN + 5 * MINUTE_MS];
const PRICES = [
  '0.000012345678901234',
  '98765432.123456789012345678',
  '1',
  '1234.5',
  '0.1',
  '0.3',
  '4.000000000000000001',
];
const rows = TIMES.map((dt, i) => row(T0 + dt, PRICES[i], i % 2 === 0 ? null : `${PRICES[i]}7`));

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
  await insertCandles(db, rows);
});

afterAll(async () => {
  await db?.close();
});

describe('loadCandles', () => {
  it('reads every bar once across read boundaries, as the numbers Decimal gives, value only where stored', async () => {
    const loaded = await loadCandles(db, {
      markets: ['KRW-BTC', 'KRW-ETH'],
      timeframe: 'minute1',
      from: T0,
      to: T0 + 3 * SPAN,
    });
    expect(loaded['KRW-ETH']).toEqual([]);
    expect(loaded['KRW-BTC']).toEqual(
      rows.map((r) => ({
        ts: r.ts,
        open: new Decimal(r.open).toNumber(),
        high: new Decimal(r.high).toNumber(),
        low: new Decimal(r.low).toNumber(),
        close: new Decimal(r.close).toNumber(),
        volume: new Decimal(r.volume).toNumber(),
        ...(r.value !== null && { value: new Decimal(r.value).toNumber() }),
      })),
    );
    expect(Object.hasOwn(loaded['KRW-BTC'][0], 'value')).toBe(false);
  });

  it('takes the start and leaves the end out, also where the range ends inside a read', async () => {
    const loaded = await loadCandles(db, {
      markets: ['KRW-BTC'],
      timeframe: 'minute1',
      from: T0 + SPAN - MINUTE_MS,
      to: T0 + 2 * SPAN,
    });
    expect(loaded['KRW-BTC'].map((c) => c.ts - T0)).toEqual([
      SPAN - MINUTE_MS,
      SPAN,
      SPAN + MINUTE_MS,
      2 * SPAN - MINUTE_MS,
    ]);
  });
});
