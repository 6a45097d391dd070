import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../prisma/db';
import { checkNewCandles, formatQualityReport, qualityReport, recordQualityIssues } from './quality-report';
import { type CandleRow, insertCandles } from './store';

type Db = Awaited<ReturnType<typeof openDatabase>>;

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 11, 3, 0, 0); // 2024-12-03T00:00Z
let db: Db;

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
});
afterAll(async () => {
  await db?.close();
});

/** Hourly candles around 100 000 KRW moving ±0.1% per bar, with a hole at hours 30..32, a spike at 25 and a zero low at 39. */
function plantedSeries(): CandleRow[] {
  const rows: CandleRow[] = [];
  for (let i = 0; i < 40; i++) {
    if (i >= 30 && i <= 32) continue; // 3 hours without candles
    const close = i % 2 === 0 ? 100_000 : 100_100;
    const open = i % 2 === 0 ? 100_100 : 100_000;
    let high = 100_150;
    let low = 99_950;
    if (i === 25) high = 110_000; // a 10% wick above the previous close
    if (i === 39) low = 0;
    rows.push({
      market: 'KRW-BTC',
      timeframe: 'minute60',
      ts: T0 + i * HOUR,
      open,
      high,
      low,
      close,
      volume: 1,
      value: close,
      source: 'test',
    });
  }
  return rows;
}

describe('qualityReport', () => {
  it('reports a planted gap, spike and non-positive price without changing what is stored', async () => {
    const rows = plantedSeries();
    expect(await insertCandles(db, rows)).toBe(37);
    const r = await qualityReport(db, { market: 'KRW-BTC', timeframe: 'minute60', from: T0, to: T0 + 40 * HOUR });
    expect(r.clean).toBe(false);
    expect(r.report).toMatchObject({ candles: 37, accepted: 36, gaps: 1, missingBars: 3, largestGap: 3 });
    expect(r.counts).toEqual({ gap: 1, spike: 1, invalid: 1 });
    const issues = r.report!.issues.map((i) => [i.kind, (i.ts - T0) / HOUR]);
    expect(issues).toEqual([
      ['spike', 25],
      ['gap', 33],
      ['invalid', 39],
    ]);
    const spike = r.report!.issues.find((i) => i.kind === 'spike')!;
    expect(spike.size).toBeCloseTo(Math.log(110_000 / 100_000), 10); // previous close (hour 24) is 100 000

    const text = formatQualityReport(r);
    expect(text).toContain('37 candles; gaps 1 (3 bars missing, largest 3); spike 1; invalid 1');
    expect(text).toContain('gap at 2024-12-04T09:00:00Z');
    expect(text).toContain('spike at 2024-12-04T01:00:00Z');
    expect(text).toContain('invalid at 2024-12-04T15:00:00Z: low 0 is not positive');

    // Reported, not fixed: the stored series is exactly what was inserted.
    expect(await db.prisma.candle.count({ where: { market: 'KRW-BTC', timeframe: 'minute60' } })).toBe(37);
  });

  it('finds nothing in a clean series, and says so for a timeframe the checks do not cover', async () => {
    const rows = plantedSeries()
      .filter((r) => r.ts < T0 + 20 * HOUR)
      .map((r) => ({ ...r, market: 'KRW-ETH' }));
    await insertCandles(db, rows);
    const r = await qualityReport(db, { market: 'KRW-ETH', timeframe: 'minute60', from: T0, to: T0 + 20 * HOUR });
    expect(r).toMatchObject({ clean: true, counts: {}, report: { candles: 20, gaps: 0 } });
    const week = await qualityReport(db, { market: 'KRW-ETH', timeframe: 'week', from: T0, to: T0 + 20 * HOUR });
    expect(week.report).toBeUndefined();
    expect(formatQualityReport(week)).toMatch(/not checked/);
  });
});

describe('recordQualityIssues', () => {
  it('stores the gaps and spikes of a range once, seen against the candles before it, and never fills a gap', async () => {
    const rows = plantedSeries().map((r) => ({ ...r, market: 'KRW-XRP' }));
    await insertCandles(db, rows);
    const stored = () =>
      db.prisma.candleQualityIssue.findMany({
        where: { market: 'KRW-XRP' },
        orderBy: [{ ts: 'asc' }, { kind: 'asc' }],
      });
    // The range starts after the spike: only the gap (its first missing hour is 30) is in it.
    const later = await recordQualityIssues(db, {
      market: 'KRW-XRP',
      timeframe: 'minute60',
      from: T0 + 28 * HOUR,
      to: T0 + 40 * HOUR,
    });
    expect(later.map((i) => [i.kind, (i.ts - T0) / HOUR, i.size])).toEqual([['gap', 30, 3]]);
    // The whole series: the spike too; recording the gap again adds no row.
    await recordQualityIssues(db, { market: 'KRW-XRP', timeframe: 'minute60', from: T0, to: T0 + 40 * HOUR });
    await recordQualityIssues(db, { market: 'KRW-XRP', timeframe: 'minute60', from: T0, to: T0 + 40 * HOUR });
    const rowsNow = await stored();
    expect(rowsNow.map((r) => [r.kind, (r.ts.getTime() - T0) / HOUR, r.size])).toEqual([
      ['spike', 25, Math.log(110_000 / 100_000)],
      ['gap', 30, 3],
    ]);
    expect(await db.prisma.candle.count({ where: { market: 'KRW-XRP', timeframe: 'minute60' } })).toBe(37);
  });
});

describe('checkNewCandles', () => {
  it('checks the candles a run cut short stored before its pass, and each candle once', async () => {
    // Without the invalid candle at hour 39: a clean candle takes its place below.
    const rows = plantedSeries()
      .filter((r) => r.ts < T0 + 39 * HOUR)
      .map((r) => ({ ...r, market: 'KRW-SOL' }));
    const window = { market: 'KRW-SOL', timeframe: 'minute60' as const, from: T0 - 100 * HOUR, to: T0 + 100 * HOUR };
    // A first run stores hours 0..27 (the spike at 25 among them) and is stopped before its quality pass.
    await insertCandles(
      db,
      rows.filter((r) => r.ts < T0 + 28 * HOUR),
    );
    // The next run stores the rest; its pass covers both.
    await insertCandles(
      db,
      rows.filter((r) => r.ts >= T0 + 28 * HOUR),
    );
    const found = await checkNewCandles(db, window);
    expect(found.map((i) => [i.kind, (i.ts - T0) / HOUR])).toEqual([
      ['spike', 25],
      ['gap', 30],
    ]);
    expect(await checkNewCandles(db, window)).toEqual([]);
    // A later candle far above the last close: only it is checked, against the candles before it.
    await insertCandles(db, [{ ...rows[0], ts: T0 + 39 * HOUR, high: 130_000, close: 100_000, open: 100_000 }]);
    expect((await checkNewCandles(db, window)).map((i) => [i.kind, (i.ts - T0) / HOUR])).toEqual([['spike', 39]]);
  });
});
