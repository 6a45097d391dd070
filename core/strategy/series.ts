// Small computations over the recent bars a snapshot carries (closes/highs/lows, oldest first), for
// the few values the feature layer does not publish itself.
import type { TimeframeFeatures } from '../indicators';

const DAY_MS = 86_400_000;

/** Mean of the last n values, or null when there are fewer. */
export function smaOf(values: readonly number[], n: number): number | null {
  if (n <= 0 || values.length < n) return null;
  let s = 0;
  for (let i = values.length - n; i < values.length; i++) s += values[i];
  return s / n;
}

/** close[-1] / close[-1-n] - 1, or null when the history is shorter. */
export function returnOver(closes: readonly number[], n: number): number | null {
  if (n <= 0 || closes.length < n + 1) return null;
  const past = closes[closes.length - 1 - n];
  return past > 0 ? closes[closes.length - 1] / past - 1 : null;
}

/**
 * Start of the day in progress at ts, read off the newest closed day bar (so it follows whatever day
 * boundary the feature engine uses, KST or UTC); null when that bar is not yesterday's (stale data).
 */
export function currentDayStart(day: TimeframeFeatures, ts: number): number | null {
  const n = day.ts.length;
  if (!n) return null;
  const start = day.ts[n - 1] + DAY_MS;
  return ts >= start && ts < start + DAY_MS ? start : null;
}

/**
 * Opening price of the day in progress: the open of its first closed bar in `intraday` (e.g. 60m bars),
 * else the previous day's close; null when the day bars are stale.
 */
export function dayOpen(intraday: TimeframeFeatures, day: TimeframeFeatures, ts: number): number | null {
  const start = currentDayStart(day, ts);
  if (start === null) return null;
  for (let i = 0; i < intraday.ts.length; i++) if (intraday.ts[i] >= start) return intraday.opens[i];
  return day.closes[day.closes.length - 1];
}
