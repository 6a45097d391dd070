// Imports candle CSVs (`ts_utc_ms,open,high,low,close,volume,value`, file `<MARKET>_<tf>.csv`, or `.csv.gz`
// gzip-compressed) into the candle store. Streams the file, inserts in batches, keeps what is already stored, and reports every row it could not
// read with its line number: nothing is dropped or repaired quietly.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { type CandleRow, type CandleStore, insertCandles } from './store';
import { bucketStart, type CandleTimeframe } from './timeframes';

export const CSV_HEADER = 'ts_utc_ms,open,high,low,close,volume,value';

/** File-name timeframe suffixes: `15m`, `60m`, `1d` in the shared data set; the other Upbit units by the same rule. */
const FILE_TIMEFRAMES: Record<string, CandleTimeframe> = {
  '1m': 'minute1',
  '3m': 'minute3',
  '5m': 'minute5',
  '10m': 'minute10',
  '15m': 'minute15',
  '30m': 'minute30',
  '60m': 'minute60',
  '240m': 'minute240',
  '1d': 'day',
  '1w': 'week',
  '1mo': 'month',
};

/** The whole file is refused (nothing imported) for these. */
export class CsvFileRejected extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'CsvFileRejected';
  }
}

export interface BadRow {
  line: number;
  reason: string;
  text: string;
}

export interface CsvImportResult {
  file: string;
  market: string;
  timeframe: CandleTimeframe;
  /** Data lines read (header excluded, blank lines excluded). */
  rows: number;
  /** Rows written: new, or replacing a provisional trade-stream candle (see insertCandles). */
  inserted: number;
  /** Good rows whose (market, timeframe, ts) was already stored; the stored row was kept. */
  alreadyStored: number;
  badRows: BadRow[];
  /** ts of the first and last good rows, UTC ms. */
  firstTs?: number;
  lastTs?: number;
}

/** A candle CSV file by its name: `.csv`, or `.csv.gz` compressed. */
export const isCandleCsvFile = (name: string) => name.endsWith('.csv') || name.endsWith('.csv.gz');

export function parseCsvFileName(file: string): { market: string; timeframe: CandleTimeframe } {
  const m = /^([A-Z]+-[A-Z0-9]+)_([0-9]+(?:m|d|w|mo))\.csv(?:\.gz)?$/.exec(basename(file));
  if (!m) throw new CsvFileRejected(file, 'file name must be <MARKET>_<tf>.csv (or .csv.gz), e.g. KRW-BTC_60m.csv');
  const timeframe = FILE_TIMEFRAMES[m[2]];
  if (!timeframe) {
    throw new CsvFileRejected(
      file,
      `unknown timeframe "${m[2]}"; expected one of ${Object.keys(FILE_TIMEFRAMES).join(', ')}`,
    );
  }
  return { market: m[1], timeframe };
}

const DECIMAL = /^-?(\d+)(?:\.(\d+))?$/;

/**
 * Why `text` cannot be stored exactly in a DECIMAL(38,18) column, or undefined. A sign is accepted (a negative or
 * zero price is kept and left to the quality report); an exponent is not a CSV decimal; more than 18 decimals would
 * be rounded by the database, so it is refused rather than silently changed.
 */
function decimalProblem(name: string, text: string): string | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return `${name} "${text}" is not a decimal number`;
  if ((m[2] ?? '').length > 18) return `${name} "${text}" has more than 18 decimals`;
  if (m[1].replace(/^0+(?=\d)/, '').length > 20) return `${name} "${text}" has more than 20 integer digits`;
  return undefined;
}

/** Parses one data line into a row, or returns why it cannot be stored as written. */
export function parseCsvLine(
  text: string,
  market: string,
  timeframe: CandleTimeframe,
  source: string,
): CandleRow | { error: string } {
  const fields = text.split(',');
  if (fields.length !== 7) return { error: `expected 7 fields, got ${fields.length}` };
  const [tsText, open, high, low, close, volume, value] = fields.map((f) => f.trim());
  if (!/^\d+$/.test(tsText)) return { error: `ts_utc_ms "${tsText}" is not a whole number of milliseconds` };
  const ts = Number(tsText);
  if (!Number.isSafeInteger(ts)) return { error: `ts_utc_ms "${tsText}" is out of range` };
  if (bucketStart(timeframe, ts) !== ts) {
    return { error: `ts_utc_ms ${ts} (${new Date(ts).toISOString()}) is not the start of a ${timeframe} candle` };
  }
  const problem =
    decimalProblem('open', open) ??
    decimalProblem('high', high) ??
    decimalProblem('low', low) ??
    decimalProblem('close', close) ??
    decimalProblem('volume', volume) ??
    (value === '' ? undefined : decimalProblem('value', value));
  if (problem) return { error: problem };
  return { market, timeframe, ts, open, high, low, close, volume, value: value === '' ? null : value, source };
}

export interface CsvImportOptions {
  /** Rows per insert statement. */
  batchSize?: number;
  /** Stored in the `source` column. */
  source?: string;
  onProgress?: (p: { file: string; rows: number; inserted: number }) => void;
}

export async function importCandleCsv(
  store: CandleStore,
  file: string,
  options: CsvImportOptions = {},
): Promise<CsvImportResult> {
  const { market, timeframe } = parseCsvFileName(file);
  const batchSize = options.batchSize ?? 1000;
  const source = options.source ?? 'import';
  const result: CsvImportResult = { file, market, timeframe, rows: 0, inserted: 0, alreadyStored: 0, badRows: [] };
  const seen = new Map<number, number>(); // ts -> line, to report repeated timestamps instead of keeping one
  let batch: CandleRow[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const inserted = await insertCandles(store, batch);
    result.inserted += inserted;
    result.alreadyStored += batch.length - inserted;
    batch = [];
    options.onProgress?.({ file, rows: result.rows, inserted: result.inserted });
  };

  const lines = createInterface({
    input: file.endsWith('.gz')
      ? createReadStream(file).pipe(createGunzip()).setEncoding('utf8')
      : createReadStream(file, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (lineNo === 1) {
      if (text.trim() !== CSV_HEADER) {
        lines.close();
        throw new CsvFileRejected(file, `header must be "${CSV_HEADER}", found "${text.slice(0, 120)}"`);
      }
      continue;
    }
    if (text.trim() === '') continue;
    result.rows++;
    const row = parseCsvLine(text, market, timeframe, source);
    if ('error' in row) {
      result.badRows.push({ line: lineNo, reason: row.error, text: text.slice(0, 200) });
      continue;
    }
    const earlier = seen.get(row.ts);
    if (earlier !== undefined) {
      result.badRows.push({
        line: lineNo,
        reason: `ts_utc_ms ${row.ts} repeats line ${earlier}`,
        text: text.slice(0, 200),
      });
      continue;
    }
    seen.set(row.ts, lineNo);
    result.firstTs = result.firstTs === undefined ? row.ts : Math.min(result.firstTs, row.ts);
    result.lastTs = result.lastTs === undefined ? row.ts : Math.max(result.lastTs, row.ts);
    batch.push(row);
    if (batch.length >= batchSize) await flush();
  }
  if (lineNo === 0) throw new CsvFileRejected(file, 'file is empty (no header)');
  await flush();
  return result;
}
