// Downloads closed candles from Upbit's REST API (or the simulator) into the candle store. Upbit pages newest first,
// so each range is walked backwards with `to` = the oldest candle seen so far. Only the ranges not yet stored are
// fetched (before the oldest stored candle and after the newest), so a rerun fetches little and inserts nothing,
// and an interrupted run resumes where it stopped.
import type { Candle } from '../../core/market';
import type { UpbitClient } from '../upbit/client';
import type { Candle as UpbitCandle } from '../upbit/types';
import { type CandleRow, type CandleStore, type Instant, insertCandles, storedSpan, toMs } from './store';
import { bucketStart, type CandleTimeframe, nextBucketStart, UPBIT_CANDLE_PATHS } from './timeframes';

/** Upbit's largest page. */
export const CANDLES_PER_PAGE = 200;

export interface DownloadProgress {
  market: string;
  timeframe: CandleTimeframe;
  pages: number;
  /** Candles received inside the wanted range. */
  received: number;
  inserted: number;
  /** 0..1 over all missing ranges, by time covered. */
  fraction: number;
}

export interface DownloadRequest {
  client: Pick<UpbitClient, 'candles'>;
  db: CandleStore;
  market: string;
  timeframe: CandleTimeframe;
  /** Inclusive, UTC. */
  from: Instant;
  /** Exclusive, UTC; the candle still forming at `now` is never stored. */
  to: Instant;
  onProgress?: (p: DownloadProgress) => void;
  /** Stored in the `source` column; default 'upbit'. */
  source?: string;
  /** Wall clock, UTC ms; decides which candle is still forming. Default Date.now(). */
  now?: () => number;
}

export interface DownloadResult {
  market: string;
  timeframe: CandleTimeframe;
  /** The ranges that were missing and fetched, [from, to) in UTC ms. */
  ranges: [number, number][];
  pages: number;
  received: number;
  /** Rows written: new, or replacing a provisional trade-stream candle (see insertCandles). */
  inserted: number;
}

/** Bucket start of an Upbit candle (`candle_date_time_utc` has no offset and is UTC). */
export function upbitCandleTs(c: UpbitCandle): number {
  const ts = Date.parse(`${c.candle_date_time_utc}Z`);
  if (Number.isNaN(ts)) throw new Error(`candle of ${c.market} has an unreadable time "${c.candle_date_time_utc}"`);
  return ts;
}

/** An Upbit candle as the engine's Candle (numbers, open time in UTC ms). */
export function fromUpbitCandle(c: UpbitCandle): Candle {
  return {
    ts: upbitCandleTs(c),
    open: c.opening_price,
    high: c.high_price,
    low: c.low_price,
    close: c.trade_price,
    volume: c.candle_acc_trade_volume,
    value: c.candle_acc_trade_price,
  };
}

/** The newest `count` candles of a market (the forming one included), oldest first. */
export async function fetchRecentCandles(
  client: UpbitClient,
  market: string,
  timeframe: CandleTimeframe,
  count: number,
): Promise<Candle[]> {
  const path = UPBIT_CANDLE_PATHS[timeframe];
  const rows = await client.candles({ market, unit: path.unit, minutes: path.minutes, count });
  return rows.map(fromUpbitCandle).sort((a, b) => a.ts - b.ts);
}

export function upbitCandleRow(c: UpbitCandle, timeframe: CandleTimeframe, source: string): CandleRow {
  return {
    market: c.market,
    timeframe,
    ts: upbitCandleTs(c),
    open: c.opening_price,
    high: c.high_price,
    low: c.low_price,
    close: c.trade_price,
    volume: c.candle_acc_trade_volume,
    value: c.candle_acc_trade_price,
    source,
  };
}

export async function downloadCandles(req: DownloadRequest): Promise<DownloadResult> {
  const { db, market, timeframe } = req;
  const now = (req.now ?? Date.now)();
  const from = bucketStart(timeframe, toMs(req.from));
  // Exclusive end: no later than `to`, and never the bucket still forming now.
  const end = Math.min(toMs(req.to), bucketStart(timeframe, now));
  const result: DownloadResult = { market, timeframe, ranges: [], pages: 0, received: 0, inserted: 0 };
  if (end <= from) return result;

  // What is missing is decided by what is stored inside the wanted range: the part before its oldest stored
  // candle is walked backwards (so an interruption leaves the stored part contiguous and the rest still "before"),
  // the part after its newest stored candle forwards, window by window, for the same reason.
  const span = await storedSpan(db, market, timeframe, { from, to: end });
  const backward: [number, number] | undefined = !span
    ? [from, end]
    : from < span.first
      ? [from, span.first]
      : undefined;
  const afterLast = span ? nextBucketStart(timeframe, span.last) : end;
  const forward: [number, number] | undefined = afterLast < end ? [afterLast, end] : undefined;
  if (backward) result.ranges.push(backward);
  if (forward) result.ranges.push(forward);

  const total = result.ranges.reduce((sum, [a, b]) => sum + (b - a), 0);
  let covered = 0;
  const store = async (rows: CandleRow[], progressed: number) => {
    result.received += rows.length;
    result.inserted += await insertCandles(db, rows);
    covered += progressed;
    req.onProgress?.({
      market,
      timeframe,
      pages: result.pages,
      received: result.received,
      inserted: result.inserted,
      fraction: total > 0 ? covered / total : 1,
    });
  };

  if (backward) {
    const [rangeFrom, rangeTo] = backward;
    let cursor = rangeTo;
    while (cursor > rangeFrom) {
      const page = await fetchPage(req, cursor, result);
      if (page.length === 0) break; // nothing older exists (before the listing)
      const oldest = Math.min(...page.map((r) => r.ts));
      if (oldest >= cursor) {
        throw new Error(
          `candle paging made no progress for ${market} ${timeframe} at ${new Date(cursor).toISOString()}`,
        );
      }
      const reached = Math.max(oldest, rangeFrom);
      await store(
        page.filter((r) => r.ts >= rangeFrom),
        cursor - reached,
      );
      cursor = oldest;
    }
    covered += Math.max(0, cursor - rangeFrom); // the part before the listing, known empty
  }

  if (forward) {
    const [rangeFrom, rangeTo] = forward;
    let windowStart = rangeFrom;
    while (windowStart < rangeTo) {
      // A window of CANDLES_PER_PAGE buckets holds at most one page of candles, so one request covers it.
      let windowEnd = windowStart;
      for (let i = 0; i < CANDLES_PER_PAGE && windowEnd < rangeTo; i++)
        windowEnd = nextBucketStart(timeframe, windowEnd);
      windowEnd = Math.min(windowEnd, rangeTo);
      const page = await fetchPage(req, windowEnd, result);
      await store(
        page.filter((r) => r.ts >= windowStart),
        windowEnd - windowStart,
      );
      windowStart = windowEnd;
    }
  }
  return result;
}

/** One page of up to CANDLES_PER_PAGE candles starting before `to`, as rows. */
async function fetchPage(req: DownloadRequest, to: number, result: DownloadResult): Promise<CandleRow[]> {
  const path = UPBIT_CANDLE_PATHS[req.timeframe];
  // The client paces requests by the candle group's limit and the Remaining-Req header, so no 429 is provoked here.
  const page = await req.client.candles({
    market: req.market,
    unit: path.unit,
    minutes: path.minutes,
    to: new Date(to),
    count: CANDLES_PER_PAGE,
  });
  result.pages++;
  return page.map((c) => {
    if (c.market !== req.market) throw new Error(`asked for ${req.market} candles, got one of ${c.market}`);
    const row = upbitCandleRow(c, req.timeframe, req.source ?? 'upbit');
    if (row.ts >= to)
      throw new Error(`candle ${c.candle_date_time_utc} of ${c.market} is not before to=${new Date(to).toISOString()}`);
    return row;
  });
}
