// Every timeframe the candle store can hold and how each maps onto Upbit's candle endpoints: the one place that
// knows both. The engine's own `Timeframe` (core/market) is a subset of these names.

import { DAY_MS, dayStart, MINUTE_MS, type Timeframe, utcBucketStart } from '../../core/market';
import type { CandleUnit, MinuteUnit } from '../upbit/types';

export type CandleTimeframe =
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

// Compile-time guard: every engine timeframe must be downloadable and storable.
type EngineTimeframesCovered = Timeframe extends CandleTimeframe ? true : never;
export const ENGINE_TIMEFRAMES_COVERED: EngineTimeframesCovered = true;

export interface UpbitCandlePath {
  unit: Exclude<CandleUnit, 'seconds'>;
  /** Only for `minutes`: the `{unit}` path segment of /candles/minutes/{unit}. */
  minutes?: MinuteUnit;
}

export const UPBIT_CANDLE_PATHS: Record<CandleTimeframe, UpbitCandlePath> = {
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

export const CANDLE_TIMEFRAMES = Object.keys(UPBIT_CANDLE_PATHS) as CandleTimeframe[];

export function isTimeframe(name: string): name is CandleTimeframe {
  return Object.hasOwn(UPBIT_CANDLE_PATHS, name);
}

export function parseTimeframe(name: string): CandleTimeframe {
  if (!isTimeframe(name))
    throw new Error(`unknown timeframe "${name}"; expected one of ${CANDLE_TIMEFRAMES.join(', ')}`);
  return name;
}

/**
 * Start (UTC ms) of the candle bucket holding `ts`. Upbit's buckets are UTC-aligned: minute units from the epoch,
 * days at 00:00 UTC, weeks on Monday 00:00 UTC, months on the 1st 00:00 UTC.
 */
export function bucketStart(timeframe: CandleTimeframe, ts: number): number {
  const path = UPBIT_CANDLE_PATHS[timeframe];
  if (path.unit === 'minutes') return utcBucketStart(ts, path.minutes! * MINUTE_MS);
  const day = dayStart(ts, 0);
  if (path.unit === 'days') return day;
  if (path.unit === 'weeks') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS; // back to Monday
  const d = new Date(ts);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Start (UTC ms) of the bucket after the one starting at `start`; its own start is where `start`'s bucket closes. */
export function nextBucketStart(timeframe: CandleTimeframe, start: number): number {
  const path = UPBIT_CANDLE_PATHS[timeframe];
  if (path.unit === 'minutes') return start + path.minutes! * MINUTE_MS;
  if (path.unit === 'days') return start + DAY_MS;
  if (path.unit === 'weeks') return start + 7 * DAY_MS;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
