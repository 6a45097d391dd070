// The sample of real Upbit candles shipped in the repository (samples/candles, see its README): the backtest
// CLI's default candle source and what `npm start` loads into an empty database, so a fresh clone can backtest
// without downloading anything. `npm run data:download` / `data:import` add more.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCandleCsv, isCandleCsvFile, parseCsvFileName } from './import-csv';
import { type CandleStore, storedSpan } from './store';

export const SAMPLE_CANDLE_DIR = fileURLToPath(new URL('../../samples/candles', import.meta.url));

export function sampleCandleFiles(dir = SAMPLE_CANDLE_DIR): string[] {
  return readdirSync(dir)
    .filter(isCandleCsvFile)
    .sort()
    .map((f) => join(dir, f));
}

export interface SampleLoad {
  market: string;
  timeframe: string;
  inserted: number;
}

/**
 * Imports each sample file whose market and timeframe have no stored candles yet, and returns what it imported.
 * Idempotent: a series that already has candles (from an earlier start, a download or an import) is left alone.
 * A sample file with a bad row is a broken checkout: it throws rather than loading part of it.
 */
export async function loadSampleCandles(store: CandleStore, dir = SAMPLE_CANDLE_DIR): Promise<SampleLoad[]> {
  const loaded: SampleLoad[] = [];
  for (const file of sampleCandleFiles(dir)) {
    const { market, timeframe } = parseCsvFileName(file);
    if (await storedSpan(store, market, timeframe)) continue;
    const r = await importCandleCsv(store, file, { source: 'sample', batchSize: 5000 });
    if (r.badRows.length > 0)
      throw new Error(`${file}: line ${r.badRows[0].line}: ${r.badRows[0].reason} (${r.badRows.length} bad rows)`);
    loaded.push({ market, timeframe, inserted: r.inserted });
  }
  return loaded;
}
