// Factor scores: each maps a few closed-bar features onto [-1, 1] (+1 = favourable for a long entry),
// and `composite` combines them with weights. A factor whose inputs are not warmed up is 0 (no opinion).
import type { IndicatorName, MarketContext, Regime, TimeframeFeatures } from '../indicators';

export const FACTOR_NAMES = ['trend', 'momentum', 'volatility', 'volume', 'correlation', 'regime'] as const;
export type FactorName = (typeof FACTOR_NAMES)[number];
export type FactorScores = Record<FactorName, number>;
export type FactorWeights = Record<FactorName, number>;

export const clamp = (x: number, lo = -1, hi = 1) => Math.max(lo, Math.min(x, hi));
const sign = (a: number, b: number) => (a > b ? 1 : a < b ? -1 : 0);

function mean(xs: (number | null)[]): number {
  const known = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return known.length ? known.reduce((s, x) => s + x, 0) / known.length : 0;
}

/**
 * Trend: EMA stack alignment (close > 21 > 50 > 200 and 9 > 21), each vote +-1, averaged, then scaled
 * by trend strength (ADX 25 or more counts fully, weak trends count at least 40 %).
 */
export function trendFactor(f: TimeframeFeatures): number {
  const votes = [
    f.ema21 === null ? null : sign(f.close, f.ema21),
    f.ema9 === null || f.ema21 === null ? null : sign(f.ema9, f.ema21),
    f.ema21 === null || f.ema50 === null ? null : sign(f.ema21, f.ema50),
    f.ema50 === null || f.ema200 === null ? null : sign(f.ema50, f.ema200),
  ];
  const strength = f.adx === null ? 1 : clamp(f.adx / 25, 0.4, 1);
  return clamp(mean(votes) * strength);
}

/**
 * Momentum: the 10-bar rate of change measured in the bar's own volatility (a 2-sigma move scores ~0.76),
 * averaged with RSI's distance from 50 and the MACD histogram's sign.
 */
export function momentumFactor(f: TimeframeFeatures): number {
  const rocZ = f.roc !== null && f.realizedVol ? Math.tanh(f.roc / (f.realizedVol * Math.sqrt(10)) / 2) : null;
  const rsi = f.rsi14 === null ? null : (f.rsi14 - 50) / 50;
  const macd = f.macd === null ? null : Math.sign(f.macd.histogram);
  return clamp(mean([rocZ, rsi, macd]));
}

/**
 * Volatility (ATR as % of price): 0 at the edges of [lowPct, highPct] and +1 in its middle; below lowPct
 * it falls to -1 (too quiet to pay fees), above highPct it falls to -1 at twice highPct (too wild).
 */
export function volatilityFactor(f: TimeframeFeatures, lowPct: number, highPct: number): number {
  if (f.atr === null || !(f.close > 0) || !(highPct > lowPct) || !(lowPct > 0)) return 0;
  const x = (f.atr / f.close) * 100;
  if (x < lowPct) return clamp(-1 + x / lowPct);
  if (x > highPct) return clamp(-(x - highPct) / highPct);
  return clamp(1 - Math.abs((2 * (x - lowPct)) / (highPct - lowPct) - 1));
}

/** Volume: this bar's volume against its 20-bar mean on a log2 scale (double = +1, half = -1). */
export function volumeFactor(f: TimeframeFeatures): number {
  if (f.volumeSpike === null || !(f.volumeSpike > 0)) return 0;
  return clamp(Math.log2(f.volumeSpike));
}

/** Correlation: the market's beta to BTC pointed by BTC's recent direction (falling BTC + high correlation = -1). */
export function correlationFactor(corrBtc: number | null, context: MarketContext): number {
  if (corrBtc === null || context.btcReturn === null) return 0;
  return clamp(corrBtc * Math.tanh(context.btcReturn / 0.01));
}

/** Regime: Hurst exponent around 0.5 (trending > 0, mean-reverting < 0); a range of +-0.25 spans the scale. */
export function regimeFactor(regime: Regime): number {
  if (regime.hurst === null) return 0;
  return clamp((regime.hurst - 0.5) * 4);
}

/** Weighted mean of the factors, in [-1, 1]; weights may be 0 (ignored) or negative (contrarian). */
export function composite(scores: FactorScores, weights: FactorWeights): number {
  let sum = 0;
  let total = 0;
  for (const name of FACTOR_NAMES) {
    sum += scores[name] * weights[name];
    total += Math.abs(weights[name]);
  }
  return total > 0 ? clamp(sum / total) : 0;
}

/** Rounds to 4 decimals so decisions stay small and readable. */
export const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Weight and volatility-band parameters every factor-scored strategy shares (schema fragment + values). */
export interface FactorParams {
  wTrend: number;
  wMomentum: number;
  wVolatility: number;
  wVolume: number;
  wCorrelation: number;
  wRegime: number;
  volLowPct: number;
  volHighPct: number;
}

const weight = (d: number, what: string) =>
  ({
    type: 'number',
    minimum: -1,
    maximum: 3,
    step: 0.1,
    default: d,
    description: `weight of the ${what} factor`,
  }) as const;

export function factorParamSchema(defaults: FactorParams) {
  return {
    wTrend: weight(defaults.wTrend, 'higher-timeframe trend'),
    wMomentum: weight(defaults.wMomentum, 'momentum'),
    wVolatility: weight(defaults.wVolatility, 'volatility band'),
    wVolume: weight(defaults.wVolume, 'volume'),
    wCorrelation: weight(defaults.wCorrelation, 'BTC correlation'),
    wRegime: weight(defaults.wRegime, 'regime (Hurst)'),
    volLowPct: {
      type: 'number',
      minimum: 0.05,
      maximum: 5,
      step: 0.05,
      default: defaults.volLowPct,
      description: 'ATR % of price below which a market is too quiet',
    },
    volHighPct: {
      type: 'number',
      minimum: 0.1,
      maximum: 20,
      step: 0.1,
      default: defaults.volHighPct,
      description: 'ATR % of price above which a market is too wild',
    },
  } as const;
}

/** The indicators `factorScores` reads on its trend timeframe (trendFactor), for a strategy's `indicators`. */
export const TREND_FACTOR_INDICATORS: readonly IndicatorName[] = ['ema9', 'ema21', 'ema50', 'ema200', 'adx'];
/** The indicators `factorScores` reads on its signal timeframe (momentum, volatility and volume factors). */
export const SIGNAL_FACTOR_INDICATORS: readonly IndicatorName[] = [
  'roc',
  'realizedVol',
  'rsi14',
  'macd',
  'atr',
  'volumeSpike',
];

/** All six factors: trend on `trendTf`, the rest on `signalTf`. */
export function factorScores(
  trendTf: TimeframeFeatures,
  signalTf: TimeframeFeatures,
  corrBtc: number | null,
  regime: Regime,
  context: MarketContext,
  p: FactorParams,
): FactorScores {
  return {
    trend: trendFactor(trendTf),
    momentum: momentumFactor(signalTf),
    volatility: volatilityFactor(signalTf, p.volLowPct, p.volHighPct),
    volume: volumeFactor(signalTf),
    correlation: correlationFactor(corrBtc, context),
    regime: regimeFactor(regime),
  };
}

export function factorWeights(p: FactorParams): FactorWeights {
  return {
    trend: p.wTrend,
    momentum: p.wMomentum,
    volatility: p.wVolatility,
    volume: p.wVolume,
    correlation: p.wCorrelation,
    regime: p.wRegime,
  };
}
