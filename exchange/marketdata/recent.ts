// The newest closed candles of a market for a session's warm-up, from the database first: the candle collector keeps
// the 1-minute candles current there, so the exchange is asked only for the closed bars after the newest stored one
// (none when the database is current). Longer bars the database does not hold are built from its 1-minute candles
// when that is cheap (up to an hour, 12 000 rows for 200 bars); otherwise, or when the database does not reach back
// far enough, the exchange serves the whole window as before.
import { type Candle, resample, type Timeframe, timeframeMs } from '../../core/market';
import type { UpbitClient } from '../upbit/client';
import { fetchRecentCandles } from './download';
import { loadCandles } from './load';
import { type CandleStore, storedSpan } from './store';
import { bucketStart } from './timeframes';

/** Longest bar built from stored 1-minute candles. */
const DERIVE_UP_TO_MS = 3_600_000;
/** Upbit's largest candle page. */
const PAGE = 200;

export interface RecentCandles {
  /** Closed bars, oldest first (at most `count`). */
  candles: Candle[];
  /** Where they came from: all from the exchange, or the database with `tail` bars fetched after it. */
  source: 'exchange' | 'database';
  tail: number;
}

/**
 * The last `count` closed `timeframe` bars of `market` at `now`, oldest first. Upbit's missing minutes stay missing.
 */
export async function recentClosedCandles(req: {
  db: CandleStore;
  client: Pick<UpbitClient, 'candles'>;
  market: string;
  timeframe: Timeframe;
  count: number;
  now: number;
}): Promise<RecentCandles> {
  const { db, market, timeframe, count, now } = req;
  const barMs = timeframeMs(timeframe);
  const forming = bucketStart(timeframe, now);
  const from = forming - count * barMs;
  const closed = (candles: Candle[]) => candles.filter((c) => c.ts >= from && c.ts < forming).slice(-count);
  const fromExchange = async (): Promise<RecentCandles> => ({
    candles: closed(await fetchRecentCandles(req.client as UpbitClient, market, timeframe, Math.min(count + 1, PAGE))),
    source: 'exchange',
    tail: 0,
  });

  // The series that serves the window: the timeframe's own stored bars, else bars built from stored 1-minute ones.
  let stored: Candle[] | undefined;
  const own = await storedSpan(db, market, timeframe);
  if (own && own.first <= from && own.last >= from) {
    stored = (await loadCandles(db, { markets: [market], timeframe, from, to: forming }))[market];
  } else if (timeframe !== 'minute1' && barMs <= DERIVE_UP_TO_MS) {
    const minutes = await storedSpan(db, market, 'minute1');
    if (minutes && minutes.first <= from && minutes.last >= from) {
      const rows = (await loadCandles(db, { markets: [market], timeframe: 'minute1', from, to: forming }))[market];
      // A bar is built only when the minutes stored reach its end; the bar still being filled comes from the tail.
      const lastMinute = rows.length ? rows[rows.length - 1].ts : from;
      stored = resample(rows, timeframe, 'utc').filter((c) => c.ts + barMs <= lastMinute + 60_000);
    }
  }
  if (!stored?.length) return fromExchange();

  const newest = stored[stored.length - 1].ts;
  const missing = Math.round((forming - newest) / barMs) - 1; // closed bars after the newest stored one
  if (missing <= 0) return { candles: closed(stored), source: 'database', tail: 0 };
  if (missing + 1 > PAGE) return fromExchange();
  const tail = await fetchRecentCandles(req.client as UpbitClient, market, timeframe, missing + 1);
  const after = tail.filter((c) => c.ts > newest);
  return { candles: closed([...stored, ...after]), source: 'database', tail: after.length };
}
