// The read-only view of one market that strategies, risk and the backtester receive.
// Every value is a plain JS number (features, not money); null means "not warmed up yet".
import type { Candle } from '../market/candles';
import type { QualityStatus } from '../market/quality';
import type { Timeframe } from '../market/timeframes';

export type { Candle } from '../market/candles';
export type { Timeframe } from '../market/timeframes';

export type MacdValue = { macd: number; signal: number; histogram: number };
export type BandsValue = { upper: number; middle: number; lower: number; width: number /* (upper-lower)/middle */ };
export type StochValue = { k: number; d: number };

/** Indicator values after one bar, all computed on that timeframe's bars. */
export type IndicatorValues = {
  close: number; // NaN while the timeframe has no closed bar (barsSeen 0)
  ema9: number | null;
  ema21: number | null;
  ema50: number | null;
  ema200: number | null;
  sma9: number | null;
  sma21: number | null;
  sma50: number | null;
  sma200: number | null;
  macd: MacdValue | null; // 12/26/9
  adx: number | null; // 14
  plusDi: number | null;
  minusDi: number | null;
  rsi14: number | null;
  rsi7: number | null;
  stochK: number | null; // 14/3/3
  stochD: number | null;
  roc: number | null; // rate of change over 10 bars, fraction (0.01 = +1%)
  cumReturn: number | null; // close / first close seen - 1
  atr: number | null; // 14
  bb: BandsValue | null; // 20 bars, 2 standard deviations
  realizedVol: number | null; // std dev of log returns over the last 20 bars (per bar, not annualised)
  vwap: number | null; // session VWAP, reset at each daily boundary
  obv: number | null;
  volumeSpike: number | null; // this bar's volume / mean volume of the previous 20 bars
  vpt: number | null; // volume-price trend
};

/** Features of one timeframe, from bars CLOSED at the decision time only. */
export type TimeframeFeatures = IndicatorValues & {
  timeframe: Timeframe;
  barsSeen: number; // closed bars fed so far
  lastClosedTs: number | null; // open time of the newest closed bar
  // The newest closed bars, oldest first (at most `historyLength`, default 50). A FeatureEngine copies them off
  // its ring when first read: read them before feeding it the timeframe's next bar, after that they throw.
  ts: number[];
  opens: number[];
  highs: number[];
  lows: number[];
  closes: number[];
  volumes: number[];
};

export type Regime = { hurst: number | null; label: 'trend' | 'range' | 'random' | null };

/** The data-quality verdict at the decision time (QualityMonitor.status): spikes among `issues` also in `spikes`. */
export type QualityFlag = QualityStatus;

export type FeatureSnapshot = {
  market: string;
  decisionTs: number;
  /**
   * Closed-bar features for every timeframe; a timeframe with no closed bar yet has barsSeen 0 and nulls.
   * Frozen and shared between snapshots until the timeframe's next bar closes: read, never modify.
   * An engine built with `featureTimeframes` shows the other timeframes' bar counts only: reading anything else
   * of them throws UndeclaredTimeframeError.
   */
  timeframes: Record<Timeframe, TimeframeFeatures>;
  /** The 1-minute bar still forming at decisionTs and the 1-minute indicators including it, or null. */
  forming: { candle: Candle; values: IndicatorValues } | null;
  lastPrice: number | null; // close of the newest 1-minute candle seen before decisionTs
  corrBtc: number | null; // correlation of log returns with KRW-BTC (correlation timeframe, window)
  corrEth: number | null;
  regime: Regime;
  /** ok=false means "skip this market, never trade it now"; issues say why. */
  quality: QualityFlag;
};

/** Market-wide state for risk halts. */
export type MarketContext = {
  decisionTs: number;
  volIndex: number | null; // mean realizedVol of the top-N markets by traded value (volIndex timeframe)
  volIndexMarkets: number; // how many markets went into volIndex
  btcReturn: number | null; // KRW-BTC close now / close `btcWindowMinutes` ago - 1
  btcDrop: number | null; // (highest 1m close in the window - last close) / highest, >= 0
  btcWindowMinutes: number;
};
