// The project's timeframe names and how each maps onto Upbit's candle endpoints: the one place that knows both.

export type Timeframe =
  | 'minute1'
  | 'minute3'
  | 'minute5'
  | 'minute10'
  | 'minute15'
  | 'minute30'
  | 'minute60'
  | 'minute240'
  | 'day'
  | 'week'
  | 'month';

export type UpbitCandleUnit = 'minutes' | 'days' | 'weeks' | 'months';

export interface UpbitCandlePath {
  unit: UpbitCandleUnit;
  /** Only for `minutes`: the `{unit}` path segment of /candles/minutes/{unit}. */
  minutes?: 1 | 3 | 5 | 10 | 15 | 30 | 60 | 240;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export const UPBIT_CANDLE_PATHS: Record<Timeframe, UpbitCandlePath> = {
  minute1: { unit: 'minutes', minutes: 1 },
  minute3: { unit: 'minutes', minutes: 3 },
  minute5: { unit: 'minutes', minutes: 5 },
  minute10: { unit: 'minutes', minutes: 10 },
  minute15: { unit: 'minutes', minutes: 15 },
  minute30: { unit: 'minutes', minutes: 30 },
  minute60: { unit: 'minutes', minutes: 60 },
  minute240: { unit: 'minutes', minutes: 240 },
  day: { unit: 'days' },
  week: { unit: 'weeks' },
  month: { unit: 'months' },
};

export const TIMEFRAMES = Object.keys(UPBIT_CANDLE_PATHS) as Timeframe[];

export function isTimeframe(name: string): name is Timeframe {
  return Object.hasOwn(UPBIT_CANDLE_PATHS, name);
}

export function parseTimeframe(name: string): Timeframe {
  if (!isTimeframe(name)) throw new Error(`unknown timeframe "${name}"; expected one of ${TIMEFRAMES.join(', ')}`);
  return name;
}

/**
 * Start (UTC ms) of the candle bucket holding `ts`. Upbit's buckets are UTC-aligned: minute units from the epoch,
 * days at 00:00 UTC, weeks on Monday 00:00 UTC, months on the 1st 00:00 UTC.
 */
export function bucketStart(timeframe: Timeframe, ts: number): number {
  const path = UPBIT_CANDLE_PATHS[timeframe];
  if (path.unit === 'minutes') {
    const size = path.minutes! * MINUTE;
    return Math.floor(ts / size) * size;
  }
  const day = Math.floor(ts / DAY) * DAY;
  if (path.unit === 'days') return day;
  if (path.unit === 'weeks') {
    const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
    return day - weekday * DAY;
  }
  const d = new Date(ts);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Start (UTC ms) of the bucket after the one starting at `start`; its own start is where `start`'s bucket closes. */
export function nextBucketStart(timeframe: Timeframe, start: number): number {
  const path = UPBIT_CANDLE_PATHS[timeframe];
  if (path.unit === 'minutes') return start + path.minutes! * MINUTE;
  if (path.unit === 'days') return start + DAY;
  if (path.unit === 'weeks') return start + 7 * DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
