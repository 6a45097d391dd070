// Bar lengths, bar boundaries and resampling of 1-minute candles into longer bars.
import { type Candle, DAY_MS, dayStart, KST_OFFSET_MS, MINUTE_MS, utcBucketStart } from './candles';

/** The bar lengths the engine works on; names follow Upbit's candle units. */
export type Timeframe = 'minute1' | 'minute5' | 'minute15' | 'minute60' | 'minute240' | 'day';

/** Shortest first. */
export const TIMEFRAMES: readonly Timeframe[] = ['minute1', 'minute5', 'minute15', 'minute60', 'minute240', 'day'];

const LENGTH_MS: Record<Timeframe, number> = {
  minute1: MINUTE_MS,
  minute5: 5 * MINUTE_MS,
  minute15: 15 * MINUTE_MS,
  minute60: 60 * MINUTE_MS,
  minute240: 240 * MINUTE_MS,
  day: DAY_MS,
};

export function timeframeMs(tf: Timeframe): number {
  return LENGTH_MS[tf];
}

export function isEngineTimeframe(name: string): name is Timeframe {
  return Object.hasOwn(LENGTH_MS, name);
}

/**
 * Where daily bars begin. The default is the KST day (00:00 KST = 15:00 UTC), the trader's calendar day.
 * Upbit's own day candles begin at 00:00 UTC (09:00 KST): pick 'utc' to line up with them, e.g. when warming
 * up from Upbit day candles or the stored `*_1d.csv` files.
 */
export type DayBoundary = 'kst' | 'utc';

/**
 * Open time of the bar holding `ts`. Intraday bars (up to 240 minutes) are aligned to UTC, as Upbit's minute
 * candles are (240-minute bars open at 00:00, 04:00, ... UTC); daily bars follow `dayBoundary`.
 */
export function bucketStart(ts: number, tf: Timeframe, dayBoundary: DayBoundary = 'kst'): number {
  if (tf === 'day') return dayStart(ts, dayBoundary === 'kst' ? KST_OFFSET_MS : 0);
  return utcBucketStart(ts, LENGTH_MS[tf]);
}

/** Close time (exclusive end) of the bar that opens at `start`. */
export function bucketEnd(start: number, tf: Timeframe): number {
  return start + LENGTH_MS[tf];
}

/** Adds bar `b` (later) to bar `into` (earlier, changed in place), as mergeInto does. */
function addInto(into: Candle, b: Candle): void {
  into.high = Math.max(into.high, b.high);
  into.low = Math.min(into.low, b.low);
  into.close = b.close;
  into.volume = into.volume + b.volume;
  if (into.value !== undefined) {
    if (b.value !== undefined) into.value = into.value + b.value;
    else delete into.value;
  }
}

/** Merges bar `b` (later) into bar `a` (earlier) keeping `a`'s open time; `value` only when both have it. */
function mergeInto(a: Candle, b: Candle): Candle {
  const merged: Candle = {
    ts: a.ts,
    open: a.open,
    high: Math.max(a.high, b.high),
    low: Math.min(a.low, b.low),
    close: b.close,
    volume: a.volume + b.volume,
  };
  if (a.value !== undefined && b.value !== undefined) merged.value = a.value + b.value;
  return merged;
}

/**
 * Streams shorter candles into one longer timeframe. The newest input may be revised (same `ts` again: it
 * replaces the previous version), so the forming bar is kept as "earlier inputs merged" plus "latest input".
 * Inputs must come in time order; a bar is closed when an input of a later bucket arrives or `closeUntil` passes
 * its end.
 */
export class Resampler {
  private bucket = -1; // open time of the forming bar, -1 when none
  // Inputs of the forming bar before the latest one, merged into a candle of this resampler's own, which it
  // changes in place: one new object per bar instead of one per input (this runs for every candle).
  private earlier: Candle | null = null;
  private latest: Candle | null = null;

  constructor(
    readonly timeframe: Timeframe,
    readonly dayBoundary: DayBoundary = 'kst',
  ) {}

  /**
   * Adds (or, with the same ts as the previous input, replaces) one input candle. Returns the bar this closed,
   * if the input opened a new bucket. The caller guarantees inputs are not older than the previous one.
   */
  push(candle: Candle): Candle | null {
    const start = bucketStart(candle.ts, this.timeframe, this.dayBoundary);
    if (start === this.bucket) {
      if (this.latest !== null && candle.ts !== this.latest.ts) {
        if (this.earlier === null) this.earlier = { ...this.latest };
        else addInto(this.earlier, this.latest);
      }
      this.latest = candle;
      return null;
    }
    const closed = this.forming();
    this.bucket = start;
    this.earlier = null;
    this.latest = candle;
    return closed;
  }

  /**
   * Starts the forming bar from a partial bar of this timeframe (the exchange's forming candle, fetched mid-bar);
   * later inputs are merged on top of it. The caller skips inputs the partial bar already covers.
   */
  seed(partial: Candle): void {
    this.bucket = bucketStart(partial.ts, this.timeframe, this.dayBoundary);
    this.earlier = { ...partial };
    this.latest = null;
  }

  /** Closes and returns the forming bar if its end is at or before `ts`. */
  closeUntil(ts: number): Candle | null {
    if (this.bucket < 0 || bucketEnd(this.bucket, this.timeframe) > ts) return null;
    const closed = this.forming();
    this.bucket = -1;
    this.earlier = null;
    this.latest = null;
    return closed;
  }

  /** The bar still forming (open time = bucket start), or null. */
  forming(): Candle | null {
    if (this.latest === null && this.earlier === null) return null;
    // Never `earlier` itself: it changes with the next input.
    if (this.latest === null) return { ...this.earlier!, ts: this.bucket };
    const base = this.earlier === null ? this.latest : mergeInto(this.earlier, this.latest);
    return base.ts === this.bucket ? base : { ...base, ts: this.bucket };
  }

  /** Open time of the forming bar, or null. */
  formingStart(): number | null {
    return this.bucket < 0 ? null : this.bucket;
  }
}

/**
 * Resamples time-ordered candles (no duplicates) into `tf` bars, the last bar included even if its bucket is
 * not complete. Buckets with no input are absent, as on Upbit.
 */
export function resample(candles: readonly Candle[], tf: Timeframe, dayBoundary: DayBoundary = 'kst'): Candle[] {
  const out: Candle[] = [];
  const r = new Resampler(tf, dayBoundary);
  let previousTs = Number.NEGATIVE_INFINITY;
  for (const c of candles) {
    if (c.ts <= previousTs)
      throw new Error(`resample: candle at ${c.ts} is not after the previous one (${previousTs})`);
    previousTs = c.ts;
    const closed = r.push(c);
    if (closed) out.push(closed);
  }
  const last = r.forming();
  if (last) out.push(last);
  return out;
}
