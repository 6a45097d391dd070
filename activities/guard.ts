// The position guard: a long-running, heartbeating activity that applies the exit plan to every
// price and returns as soon as a stop, take-profit, trailing or time level is crossed. When told the
// strategy's entry timeframe it also shows the plan each closed bar of it (RSI and volume spike for the
// blow-off exit, ATR for the trailing distance), as the backtester does at each bar close.
import { activityInfo, CancelledFailure, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { FeatureEngine } from '../core/indicators/engine';
import { type Candle, type Timeframe, timeframeMs } from '../core/market';
import { CLOSED_BAR_INDICATORS, closedBarObservation, updateExitPlan } from '../core/risk';
import type { ExitPlan, ExitUpdate } from '../core/risk/types';
import type { TradingMode } from '../core/session/config';
import { untilBarSettles } from '../core/session/schedule';
import { fetchRecentCandles } from '../exchange/marketdata/download';
import type { ActivityDeps } from './deps';

const HEARTBEAT_MS = 5_000;
/** Bars fetched per closed bar: enough for the 14-bar RSI and ATR and the 20-bar volume mean to settle. */
const BAR_HISTORY = 200;

export interface GuardInput {
  positionId: string;
  mode: TradingMode;
  plan: ExitPlan;
  /** The strategy's entry timeframe; without it only prices reach the plan. */
  barTimeframe?: Timeframe;
  /**
   * Answer a cancel with the plan as far as it got (no trigger) instead of a cancellation, so the
   * position keeps the highs and trailing stop the guard saw (e.g. when its time exit fires).
   */
  progressOnCancel?: boolean;
}

/**
 * The newest closed bar's features as of `asOf`, from candles of that timeframe (the forming one left out). Only
 * what the exit plan reads (closedBarObservation: close, rsi14, atr, volumeSpike) is computed: every guard of every
 * held position builds one of these at each bar close.
 */
export function closedBarFeatures(market: string, timeframe: Timeframe, candles: readonly Candle[], asOf: number) {
  const engine = new FeatureEngine({
    baseTimeframe: timeframe,
    dayBoundary: 'utc',
    featureTimeframes: [timeframe],
    featureIndicators: { [timeframe]: CLOSED_BAR_INDICATORS },
  });
  engine.warmUp(market, timeframe, candles, asOf);
  return engine.snapshot(market, asOf).timeframes[timeframe];
}

export function createGuardActivities({ prices, exchange }: ActivityDeps) {
  return {
    async guardPosition(input: GuardInput): Promise<ExitUpdate> {
      // After a worker crash the retry resumes from the last heartbeated plan (highs, trailing stop).
      const resumed = activityInfo().heartbeatDetails as { plan?: ExitPlan } | undefined;
      let plan: ExitPlan = resumed?.plan ?? input.plan;
      const signal = cancellationSignal();
      return new Promise<ExitUpdate>((resolve, reject) => {
        let finished = false;
        let barTimer: NodeJS.Timeout | undefined;
        const beat = setInterval(() => heartbeat({ plan }), HEARTBEAT_MS);
        heartbeat({ plan });
        const done = () => {
          finished = true;
          clearInterval(beat);
          clearTimeout(barTimer);
          unsubscribe();
          signal.removeEventListener('abort', onAbort);
        };
        const onAbort = () => {
          done();
          if (input.progressOnCancel) resolve({ plan });
          else reject(new CancelledFailure('guard cancelled'));
        };
        const apply = (update: ExitUpdate) => {
          plan = update.plan;
          if (update.trigger) {
            done();
            resolve(update);
          }
        };
        signal.addEventListener('abort', onAbort);
        const unsubscribe = prices.subscribe(input.mode, plan.market, (tick) =>
          apply(updateExitPlan(plan, { price: tick.price, high: tick.price, low: tick.price, ts: Date.now() })),
        );

        const timeframe = input.barTimeframe;
        if (!timeframe) return;
        const barMs = timeframeMs(timeframe);
        const observeBar = async () => {
          try {
            const candles = await fetchRecentCandles(exchange(input.mode), plan.market, timeframe, BAR_HISTORY);
            const asOf = Date.now();
            const bar = closedBarFeatures(plan.market, timeframe, candles, asOf);
            if (!finished && bar.barsSeen > 0) apply(updateExitPlan(plan, closedBarObservation(bar, asOf)));
          } catch (err) {
            // Prices keep guarding the stops; the next bar close tries again.
            log.warn('guard could not read the closed bar', { market: plan.market, error: (err as Error).message });
          }
          if (!finished) barTimer = setTimeout(observeBar, untilBarSettles(barMs, Date.now()));
        };
        barTimer = setTimeout(observeBar, untilBarSettles(barMs, Date.now()));
      });
    },
  };
}
