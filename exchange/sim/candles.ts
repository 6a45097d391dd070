/**
 * Candle storage and Upbit candle queries. History lives in layers of decreasing age and granularity
 * (days, then hours, then minutes up to now); a query for a unit uses every layer whose granularity
 * divides the unit, so 240-minute candles reach back through the hour layer while 15-minute candles only
 * cover the minute layer. Buckets without trades are not generated, as on Upbit.
 */
export interface Candle {
  /** Bucket start, ms UTC. */
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  /** Traded volume (base currency). */
  v: number;
  /** Traded value (KRW). */
  q: number;
  /** Timestamp of the last trade in the bucket. */
  last: number;
}

export interface CandleLayer {
  /** Granularity in seconds. */
  seconds: number;
  candles: Candle[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export type BucketOf = (t: number) => number;

export function fixedBucket(ms: number): BucketOf {
  return (t) => t - (t % ms);
}

/** Weeks start on Monday 00:00 UTC. */
export const weekBucket: BucketOf = (t) => {
  const day = t - (t % DAY);
  const dow = (new Date(day).getUTCDay() + 6) % 7;
  return day - dow * DAY;
};

export const monthBucket: BucketOf = (t) => {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};

export const yearBucket: BucketOf = (t) => Date.UTC(new Date(t).getUTCFullYear(), 0, 1);

/** Index of the last candle with t < bound (binary search), or -1. */
function lastBefore(candles: Candle[], bound: number): number {
  let lo = 0;
  let hi = candles.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (candles[mid].t < bound) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/**
 * The newest `count` aggregated candles whose bucket starts before `to`, newest first.
 * `layers` are ordered oldest first; `unitSeconds` picks the usable layers (granularity must divide it).
 */
export function queryCandles(
  layers: CandleLayer[],
  bucketOf: BucketOf,
  unitSeconds: number,
  to: number,
  count: number,
): Candle[] {
  const out: Candle[] = [];
  let current: Candle | null = null;
  for (let li = layers.length - 1; li >= 0 && out.length < count; li--) {
    const layer = layers[li];
    if (unitSeconds % layer.seconds !== 0) continue;
    const candles = layer.candles;
    for (let i = lastBefore(candles, to); i >= 0; i--) {
      const c = candles[i];
      const b = bucketOf(c.t);
      if (current && current.t === b) {
        current.o = c.o;
        if (c.h > current.h) current.h = c.h;
        if (c.l < current.l) current.l = c.l;
        current.v += c.v;
        current.q += c.q;
      } else {
        if (current) {
          out.push(current);
          if (out.length >= count) return out;
        }
        current = { t: b, o: c.o, h: c.h, l: c.l, c: c.c, v: c.v, q: c.q, last: c.last };
      }
    }
  }
  if (current && out.length < count) out.push(current);
  return out;
}

/** Adds a trade to the newest candle of a layer, opening a new bucket when needed. */
export function addTradeToLayer(
  layer: CandleLayer,
  price: number,
  volume: number,
  timestamp: number,
  maxCandles = Number.POSITIVE_INFINITY,
): Candle {
  const bucket = timestamp - (timestamp % (layer.seconds * 1000));
  const candles = layer.candles;
  let c = candles[candles.length - 1];
  if (!c || c.t < bucket) {
    c = { t: bucket, o: price, h: price, l: price, c: price, v: 0, q: 0, last: timestamp };
    candles.push(c);
    if (candles.length > maxCandles) candles.splice(0, candles.length - maxCandles);
  }
  if (price > c.h) c.h = price;
  if (price < c.l) c.l = price;
  c.c = price;
  c.v += volume;
  c.q += price * volume;
  c.last = timestamp;
  return c;
}

export function minuteBucket(t: number): number {
  return t - (t % MINUTE);
}

/** `yyyy-MM-ddTHH:mm:ss` in UTC, and shifted to KST (+9h) for the `_kst` fields. */
export function utcString(t: number): string {
  return new Date(t).toISOString().slice(0, 19);
}

export function kstString(t: number): string {
  return utcString(t + 9 * 3_600_000);
}

/**
 * Parses Upbit's `to` parameter: ISO 8601 with `T` or a space, optional seconds, optional offset
 * (`Z` or `+09:00`); no offset means UTC. Returns ms or null when malformed.
 */
export function parseUpbitTime(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    value,
  );
  if (!m) return null;
  const [, y, mo, d, hh = '0', mm = '0', ss = '0', frac = '0', zone] = m;
  let t = Date.UTC(+y, +mo - 1, +d, +hh, +mm, +ss, Math.floor(+`0.${frac}` * 1000));
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * MINUTE;
  }
  return Number.isNaN(t) ? null : t;
}
