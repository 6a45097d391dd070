// What the backtest form offers from the stored candles (GET /api/candles/coverage): its first suggestion, and the
// timeframes and markets that have data. Pure, so it is tested without a browser.

import { TIMEFRAMES, type Timeframe } from './api/types';
import { currentLocale, i18next } from './i18n';

export interface SeriesCoverage {
  market: string;
  timeframe: string;
  /** Open times of the oldest and newest stored candle, UTC ms. */
  first: number;
  last: number;
  count: number;
  /** Minute timeframes: buckets without a candle between first and last (minutes without trades, never filled). */
  missing?: number;
  /** Bars the collector's quality pass flagged as spikes. */
  spikes?: number;
}

export interface FormDefaults {
  markets: string[];
  timeframe: Timeframe;
  /** YYYY-MM-DD, UTC; `to` is the day after the newest candle's, since the form's `to` is exclusive. */
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** How far back the suggested range reaches from the newest common candle. */
export const DEFAULT_RANGE_DAYS = 180;
const isTimeframe = (t: string): t is Timeframe => (TIMEFRAMES as string[]).includes(t);

/**
 * A request that runs on what is stored: the timeframe of the longest series (most candles: usually the finest
 * data, which every strategy can use; the default strategy decides on 15-minute bars), every market that has it (at
 * most three), and the last DEFAULT_RANGE_DAYS of the span they all cover. Undefined when nothing usable is stored.
 */
export function defaultsFromCoverage(coverage: SeriesCoverage[]): FormDefaults | undefined {
  const usable = coverage.filter((c) => isTimeframe(c.timeframe));
  const longest = [...usable].sort((a, b) => b.count - a.count)[0];
  if (!longest) return undefined;
  const timeframe = longest.timeframe as Timeframe;
  const series = usable
    .filter((c) => c.timeframe === timeframe)
    .sort((a, b) => b.count - a.count)
    .slice(0, 3);
  // The markets must overlap; drop the smaller series until they do.
  while (series.length > 1 && Math.max(...series.map((s) => s.first)) >= Math.min(...series.map((s) => s.last)))
    series.pop();
  const first = Math.max(...series.map((s) => s.first));
  const last = Math.min(...series.map((s) => s.last));
  return {
    markets: series.map((s) => s.market).sort(),
    timeframe,
    from: day(Math.max(first, last - DEFAULT_RANGE_DAYS * DAY_MS)),
    to: day(last + DAY_MS),
  };
}

/** The timeframes with stored candles, in the usual order; every timeframe while nothing is known. */
export function timeframesWithData(coverage: SeriesCoverage[] | undefined): Timeframe[] {
  const stored = new Set(coverage?.map((c) => c.timeframe));
  const offered = TIMEFRAMES.filter((t) => stored.has(t));
  return offered.length > 0 ? offered : TIMEFRAMES;
}

/** "2024-01-01 → 2024-12-30, 34,152 candles" for a series. */
export function coverageLabel(c: SeriesCoverage): string {
  return i18next.t('backtests.coverage', {
    from: day(c.first),
    to: day(c.last),
    candles: c.count.toLocaleString(currentLocale()),
  });
}
