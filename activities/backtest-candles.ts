// A backtest request's stored candles, cached per worker process: parallel chunks of one request load
// them once. Kept as columns on shared memory: half the bytes of Candle objects, nothing for the garbage
// collector to trace, and the engine thread (engine-thread.ts) reads them without a copy.
import { ApplicationFailure } from '@temporalio/activity';
import type { ColumnarBacktestData } from '../core/backtest/engine';
import { warmupMs } from '../core/backtest/research';
import type { BacktestRequest } from '../core/contract';
import { type CandleColumns, candleColumns } from '../core/market';
import { getStrategy } from '../core/strategy';
import { loadCandles } from '../exchange/marketdata/load';
import type { Database } from '../prisma/db';

// Entries expire so a range re-run after an import or download reads the new rows.
const CACHE_ENTRIES = 4;
const CACHE_TTL_MS = 10 * 60_000;
const candleCache = new Map<string, { at: number; data: Promise<ColumnarBacktestData> }>();

/** Candles of the request from its warm-up start to its end, from the `candles` table. */
export function requestData(db: Database, request: BacktestRequest): Promise<ColumnarBacktestData> {
  const from = request.from - warmupMs(getStrategy(request.strategy), request.timeframe);
  const markets = [...request.markets].sort();
  const key = JSON.stringify([markets, request.timeframe, from, request.to]);
  const cached = candleCache.get(key);
  if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.data;
  const loading = loadCandles(db, { markets, timeframe: request.timeframe, from, to: request.to }).then((candles) => {
    const empty = markets.filter((m) => candles[m].length === 0);
    if (empty.length)
      throw ApplicationFailure.nonRetryable(
        `no ${request.timeframe} candles stored for ${empty.join(', ')}: load them with npm run data:import or npm run data:download`,
        'BacktestInputError',
      );
    const columns: Record<string, CandleColumns> = {};
    for (const m of markets) columns[m] = candleColumns(candles[m], { shared: true });
    return { columns, timeframe: request.timeframe };
  });
  candleCache.delete(key);
  candleCache.set(key, { at: Date.now(), data: loading });
  loading.catch(() => candleCache.delete(key));
  while (candleCache.size > CACHE_ENTRIES) candleCache.delete(candleCache.keys().next().value as string);
  return loading;
}
