// The candle store as the market-data code sees it: the repository's functions (prisma/repositories/candles.ts,
// where the SQL lives) on `openDatabase()`'s result, with timeframes narrowed to the ones this code knows and
// times as Dates or UTC ms.
import type { PrismaClient } from '../../prisma/db';
import * as candles from '../../prisma/repositories/candles';
import type { CandleTimeframe } from './timeframes';

export {
  type SeriesCoverage,
  type StoredSpan,
  TRADE_STREAM_SOURCE,
} from '../../prisma/repositories/candles';

/** What the market-data functions need from `openDatabase()`. */
export interface CandleStore {
  prisma: PrismaClient;
}

export type CandleRow = candles.CandleRow<CandleTimeframe>;

export type Instant = Date | number;
export const toMs = (t: Instant): number => (t instanceof Date ? t.getTime() : t);

/** See candles.insertCandles: writes what is new or provisional, returns how many rows that was. */
export function insertCandles(store: CandleStore, rows: CandleRow[]): Promise<number> {
  return candles.insertCandles(store.prisma, rows);
}

/** See candles.storedSpan: oldest, newest and count of a stored series (provisional candles left out). */
export function storedSpan(
  store: CandleStore,
  market: string,
  timeframe: CandleTimeframe,
  within?: { from: Instant; to: Instant },
): Promise<candles.StoredSpan | undefined> {
  return candles.storedSpan(
    store.prisma,
    market,
    timeframe,
    within && { from: toMs(within.from), to: toMs(within.to) },
  );
}

/** See candles.storedCoverage: every stored series, what a backtest can run on. */
export function storedCoverage(store: CandleStore): Promise<candles.SeriesCoverage[]> {
  return candles.storedCoverage(store.prisma);
}
