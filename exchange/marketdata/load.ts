// Reads stored candles for the backtester and the simulator's replay feed: numbers, oldest first, per market.
import { type Candle, MINUTE_MS, newCandle } from '../../core/market';
import { candleNumbersIn } from '../../prisma/repositories/candles';
import { type CandleStore, type Instant, toMs } from './store';
import { type CandleTimeframe, UPBIT_CANDLE_PATHS } from './timeframes';

export interface LoadRequest {
  markets: string[];
  timeframe: CandleTimeframe;
  /** Inclusive bucket start, UTC. */
  from: Instant;
  /** Exclusive bucket start, UTC. */
  to: Instant;
}

/** Bars per read, about: the thread serves other work between the reads of a long range. */
const PAGE_BARS = 20_000;

/** The time PAGE_BARS bars of `timeframe` span (day, week and month bars: any range in one read). */
function pageSpanMs(timeframe: CandleTimeframe): number {
  const minutes = UPBIT_CANDLE_PATHS[timeframe].minutes;
  return minutes ? PAGE_BARS * minutes * MINUTE_MS : Number.POSITIVE_INFINITY;
}

/** Stored candles per market, oldest first, as numbers. Every requested market has an entry (empty if none stored). */
export async function loadCandles(store: CandleStore, req: LoadRequest): Promise<Record<string, Candle[]>> {
  const out: Record<string, Candle[]> = {};
  const to = toMs(req.to);
  const span = pageSpanMs(req.timeframe);
  for (const market of req.markets) {
    const candles: Candle[] = [];
    // Reads of bounded time ranges: a row-limit page (ORDER BY ts LIMIT n) made PostgreSQL scan and sort the whole
    // rest of the range for every page.
    for (let from = toMs(req.from); from < to; ) {
      const end = Math.min(to, from + span);
      const rows = await candleNumbersIn(store.prisma, { market, timeframe: req.timeframe, from, to: end });
      for (const r of rows)
        candles.push(newCandle(r.ts, r.open, r.high, r.low, r.close, r.volume, r.value === null ? undefined : r.value));
      from = end;
      // An embedded database answers on this thread: let timers and I/O in between reads.
      if (from < to) await new Promise((resolve) => setImmediate(resolve));
    }
    out[market] = candles;
  }
  return out;
}
