// Hand-built feature snapshots for strategy tests: every indicator null unless the test sets it, so
// a test states exactly which values its expected decision depends on.
import type { FeatureSnapshot, MarketContext, Timeframe, TimeframeFeatures } from '../indicators';
import { TIMEFRAMES } from '../market';

export function frame(timeframe: Timeframe, values: Partial<TimeframeFeatures> = {}): TimeframeFeatures {
  return {
    timeframe,
    barsSeen: 500,
    lastClosedTs: null,
    ts: [],
    opens: [],
    highs: [],
    lows: [],
    closes: [],
    volumes: [],
    close: 100,
    ema9: null,
    ema21: null,
    ema50: null,
    ema200: null,
    sma9: null,
    sma21: null,
    sma50: null,
    sma200: null,
    macd: null,
    adx: null,
    plusDi: null,
    minusDi: null,
    rsi14: null,
    rsi7: null,
    stochK: null,
    stochD: null,
    roc: null,
    cumReturn: null,
    atr: null,
    bb: null,
    realizedVol: null,
    vwap: null,
    obv: null,
    volumeSpike: null,
    vpt: null,
    ...values,
  };
}

export function snapshot(
  market: string,
  decisionTs: number,
  frames: Partial<Record<Timeframe, Partial<TimeframeFeatures>>>,
  extra: Partial<Omit<FeatureSnapshot, 'timeframes'>> = {},
): FeatureSnapshot {
  const timeframes = Object.fromEntries(TIMEFRAMES.map((tf) => [tf, frame(tf, frames[tf])])) as Record<
    Timeframe,
    TimeframeFeatures
  >;
  return {
    market,
    decisionTs,
    timeframes,
    forming: null,
    lastPrice: null,
    corrBtc: null,
    corrEth: null,
    regime: { hurst: null, label: null },
    quality: { ok: true, issues: [] },
    ...extra,
  };
}

export function context(decisionTs: number, values: Partial<MarketContext> = {}): MarketContext {
  return {
    decisionTs,
    volIndex: null,
    volIndexMarkets: 0,
    btcReturn: null,
    btcDrop: null,
    btcWindowMinutes: 15,
    ...values,
  };
}
