// The feature engine a strategy runs on, built one way for the live session and the backtester: it computes
// features only for the timeframes the strategy reads, and there only the indicators it lists plus those the
// decision path reads (and, when decisions are explained, those the explanation reads). Everything else a snapshot
// would show costs a session's decision step and a backtest's bar without changing a decision, and bars of
// timeframes nobody reads are not built at all (core/backtest/feature-timeframes.test.ts proves it for every
// built-in strategy).
// Not re-exported from ./index: the workflow bundle imports the strategy registry and must not pull the engine in.

import { FeatureEngine } from '../indicators/engine';
import type { Timeframe } from '../market';
import { featureIndicatorsOf, featureTimeframesOf } from './evaluate';
import type { AnyStrategy } from './types';

export function featureEngineFor(
  strategy: AnyStrategy,
  options: { baseTimeframe: Timeframe; explained: boolean },
): FeatureEngine {
  return new FeatureEngine({
    baseTimeframe: options.baseTimeframe,
    // Days start at 00:00 UTC, as Upbit's day candles do.
    dayBoundary: 'utc',
    featureTimeframes: featureTimeframesOf(strategy),
    featureIndicators: featureIndicatorsOf(strategy, { explained: options.explained }),
    // Bars of other timeframes are read by nobody but the warm-up gate.
    trackedTimeframes: [...featureTimeframesOf(strategy), ...(Object.keys(strategy.warmupBars) as Timeframe[])],
  });
}
