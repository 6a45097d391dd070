import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../prisma/db';
import { CsvFileRejected, importCandleCsv, parseCsvFileName } from './import-csv';
import { loadCandles } from './load';

type Db = Awaited<ReturnType<typeof openDatabase>>;

const H = Date.UTC(2024, 5, 1); // 2024-06-01T00:00Z
const HOUR = 3_600_000;

let db: Db;
let dir: string;

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: 'memory://' });
  dir = mkdtempSync(join(tmpdir(), 'marketdata-csv-'));
});

afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('importCandleCsv', () => {
  it('imports good rows exactly, reports bad rows by line number, and a rerun inserts nothing', async () => {
    const file = write('KRW-ETH_60m.csv', [
      'ts_utc_ms,open,high,low,close,volume,value',
      `${H},5000000,5010000,4990000,5005000,12.34567891,61728394.55`,
      `${H + HOUR},5005000,5020000,5000000,5015000,1.5,`, // value unknown in the source
      `${H + 2 * HOUR},5015000,abc,5000000,5015000,1.5,7500000`, // line 4: price not a number
      `${H + 2 * HOUR + 60_000},5015000,5020000,5000000,5015000,1.5,7500000`, // line 5: not on the hour
      `${H + 3 * HOUR},5015000,5020000,5000000,5015000,1.5`, // line 6: 6 fields
      '',
      `${H + HOUR},5005000,5020000,5000000,5015000,1.5,7500000`, // line 8: repeats line 3's ts
      `${H + 4 * HOUR},5015000,5030000,5010000,5025000,0.000000012345678901,0.1`,
      `${H + 5 * HOUR},5015000,5030000,5010000,5025000,0.0000000123456789012,0.1`, // line 10: 19 decimals
      `${H + 6 * HOUR},5015000,5030000,5010000,5025000,1e3,0.1`, // line 11: exponent
    ]);
    const first = await importCandleCsv(db, file, { batchSize: 2 });
    expect(first).toMatchObject({ market: 'KRW-ETH', timeframe: 'minute60', rows: 9, inserted: 3, alreadyStored: 0 });
    expect(first.badRows.map((b) => b.line)).toEqual([4, 5, 6, 8, 10, 11]);
    expect(first.badRows[0].reason).toMatch(/high "abc" is not a decimal/);
    expect(first.badRows[1].reason).toMatch(/not the start of a minute60 candle/);
    expect(first.badRows[2].reason).toMatch(/expected 7 fields, got 6/);
    expect(first.badRows[3].reason).toMatch(/repeats line 3/);
    expect(first.badRows[4].reason).toMatch(/volume "0.0000000123456789012" has more than 18 decimals/);
    expect(first.badRows[5].reason).toMatch(/volume "1e3" is not a decimal/);
    expect(first.firstTs).toBe(H);
    expect(first.lastTs).toBe(H + 4 * HOUR);

    const again = await importCandleCsv(db, file);
    expect(again).toMatchObject({ rows: 9, inserted: 0, alreadyStored: 3 });
    expect(again.badRows).toHaveLength(6);

    const stored = await db.prisma.candle.findMany({ where: { market: 'KRW-ETH' }, orderBy: { ts: 'asc' } });
    expect(stored.map((r) => r.ts.getTime())).toEqual([H, H + HOUR, H + 4 * HOUR]);
    expect(stored[0].volume.toString()).toBe('12.34567891'); // exact decimal, no float rounding
    expect(stored[0].value?.toString()).toBe('61728394.55');
    expect(stored[2].volume.toString()).toBe('1.2345678901e-8');
    expect(stored[0].source).toBe('import');

    const loaded = await loadCandles(db, {
      markets: ['KRW-ETH', 'KRW-XRP'],
      timeframe: 'minute60',
      from: H,
      to: H + 5 * HOUR,
    });
    expect(loaded['KRW-XRP']).toEqual([]);
    expect(loaded['KRW-ETH'][0]).toEqual({
      ts: H,
      open: 5000000,
      high: 5010000,
      low: 4990000,
      close: 5005000,
      volume: 12.34567891,
      value: 61728394.55,
    });
    expect(loaded['KRW-ETH'][1].value).toBeUndefined();
  });

  it('refuses a whole file whose header is wrong, storing nothing', async () => {
    const file = write('KRW-SOL_1d.csv', [
      'time,open,high,low,close,volume,value',
      `${Date.UTC(2024, 0, 1)},100,110,90,105,10,1000`,
    ]);
    await expect(importCandleCsv(db, file)).rejects.toThrow(CsvFileRejected);
    await expect(importCandleCsv(db, file)).rejects.toThrow(
      /header must be "ts_utc_ms,open,high,low,close,volume,value"/,
    );
    expect(await db.prisma.candle.count({ where: { market: 'KRW-SOL' } })).toBe(0);
  });

  it('refuses an empty file and a name it cannot read', async () => {
    await expect(importCandleCsv(db, write('KRW-SOL_15m.csv', []))).rejects.toThrow(/header must be/);
    expect(() => parseCsvFileName('btc-hourly.csv')).toThrow(/<MARKET>_<tf>\.csv/);
    expect(() => parseCsvFileName('KRW-BTC_7m.csv')).toThrow(/unknown timeframe "7m"/);
    expect(parseCsvFileName('/x/KRW-BTC_15m.csv')).toEqual({ market: 'KRW-BTC', timeframe: 'minute15' });
    expect(parseCsvFileName('KRW-BTC_1d.csv')).toEqual({ market: 'KRW-BTC', timeframe: 'day' });
  });

  it('keeps non-positive prices as written, for the quality report to flag', async () => {
    const day = Date.UTC(2024, 0, 1);
    const file = write('KRW-NEO_1d.csv', ['ts_utc_ms,open,high,low,close,volume,value', `${day},0,110,-1,105,10,1000`]);
    const r = await importCandleCsv(db, file);
    expect(r).toMatchObject({ inserted: 1, badRows: [] });
    const loaded = await loadCandles(db, { markets: ['KRW-NEO'], timeframe: 'day', from: day, to: day + 86_400_000 });
    expect(loaded['KRW-NEO'][0]).toMatchObject({ open: 0, low: -1 });
  });

  it('reads a gzip-compressed .csv.gz file as its .csv', async () => {
    const lines = [
      'ts_utc_ms,open,high,low,close,volume,value',
      `${H},100,110,90,105,2.5,250`,
      `${H + HOUR},105,x,100,108,2,210`,
    ];
    const file = join(dir, 'KRW-SOL_60m.csv.gz');
    writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
    const r = await importCandleCsv(db, file);
    expect(r).toMatchObject({ market: 'KRW-SOL', timeframe: 'minute60', rows: 2, inserted: 1 });
    expect(r.badRows.map((b) => b.line)).toEqual([3]);
    const stored = await loadCandles(db, { markets: ['KRW-SOL'], timeframe: 'minute60', from: H, to: H + 2 * HOUR });
    expect(stored['KRW-SOL']).toEqual([{ ts: H, open: 100, high: 110, low: 90, close: 105, volume: 2.5, value: 250 }]);
  });
});
