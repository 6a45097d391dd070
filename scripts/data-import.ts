// `npm run data:import -- <file-or-dir> [...]`
// Imports candle CSVs into the candle store, lists every row it could not read, then prints the data-quality
// report of each imported series. Exits 1 when any file was refused or any row was bad.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CSV_HEADER, CsvFileRejected, importCandleCsv, isCandleCsvFile } from '../exchange/marketdata/import-csv';
import { formatQualityReport, qualityReport } from '../exchange/marketdata/quality-report';
import { nextBucketStart } from '../exchange/marketdata/timeframes';
import { openDatabase } from '../prisma/db';

const USAGE = `usage: npm run data:import -- <file-or-dir> [...]

Imports candle CSV files into the database (a directory: every *.csv and *.csv.gz directly inside it).
File name <MARKET>_<tf>.csv (or .csv.gz, gzip-compressed), tf one of 1m 3m 5m 10m 15m 30m 60m 240m 1d 1w 1mo (e.g. KRW-BTC_60m.csv).
Header exactly: ${CSV_HEADER}
(ts_utc_ms = candle open time in UTC ms; value = traded KRW, may be empty).
Rows already stored are kept; bad rows are listed with their line numbers and not imported.

The database is the one of the app: DATABASE_URL if set, else embedded PGlite under DATA_DIR (default ./data).`;

const SHOWN_BAD_ROWS = 20;

function csvFiles(arg: string): string[] {
  if (!statSync(arg).isDirectory()) return [arg];
  return readdirSync(arg)
    .filter(isCandleCsvFile)
    .sort()
    .map((f) => join(arg, f));
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (args.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const files = args.flatMap(csvFiles);
  const db = await openDatabase();
  let failed = 0;
  try {
    for (const file of files) {
      const started = Date.now();
      try {
        const r = await importCandleCsv(db, file);
        const seconds = (Date.now() - started) / 1000;
        console.log(
          `${file}: ${r.market} ${r.timeframe}  rows ${r.rows}  new ${r.inserted}  already stored ${r.alreadyStored}` +
            `  bad ${r.badRows.length}  (${seconds.toFixed(1)} s, ${Math.round(r.rows / Math.max(seconds, 0.001))} rows/s)`,
        );
        for (const bad of r.badRows.slice(0, SHOWN_BAD_ROWS)) {
          console.log(`  line ${bad.line}: ${bad.reason}: ${bad.text}`);
        }
        if (r.badRows.length > SHOWN_BAD_ROWS)
          console.log(`  … and ${r.badRows.length - SHOWN_BAD_ROWS} more bad rows`);
        if (r.badRows.length > 0) failed++;
        if (r.firstTs !== undefined && r.lastTs !== undefined) {
          const report = await qualityReport(db, {
            market: r.market,
            timeframe: r.timeframe,
            from: r.firstTs,
            to: nextBucketStart(r.timeframe, r.lastTs),
          });
          console.log(formatQualityReport(report));
        }
      } catch (err) {
        if (!(err instanceof CsvFileRejected)) throw err;
        console.log(`${file}: REFUSED, nothing imported: ${err.reason}`);
        failed++;
      }
    }
  } finally {
    await db.close();
  }
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? `error: ${err.message}` : err);
    process.exit(1);
  },
);
