// Trend or range? A Hurst exponent from how the variance of k-bar returns grows with k (the aggregated-variance
// form of the variance-ratio test): for a random walk Var(k-bar return) = k x Var(1-bar return), so the log-log
// slope is 1 and H = slope / 2 = 0.5; persistent (trending) returns grow faster (H > 0.5), mean-reverting ones
// slower (H < 0.5). Chosen over rescaled range because R/S is biased upwards on the short windows we have.
import type { Regime } from './snapshot';

export const HURST_LAGS: readonly number[] = [1, 2, 4, 8];

/**
 * Hurst exponent of a series of log returns (oldest first): half the least-squares slope of
 * ln Var(overlapping k-bar sums) against ln k over `lags`. Null when there are fewer than 4 x the largest lag
 * returns or the series does not move.
 */
export function hurstExponent(returns: readonly number[], lags: readonly number[] = HURST_LAGS): number | null {
  const n = returns.length;
  if (lags.length < 2 || n < 4 * lags[lags.length - 1]) return null;
  let mean = 0;
  for (const r of returns) mean += r;
  mean /= n;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const k of lags) {
    // Sliding k-bar sums centred on k x mean; population variance over the n - k + 1 windows.
    let sum = 0;
    for (let i = 0; i < k; i++) sum += returns[i];
    let sq = 0;
    for (let i = k; ; i++) {
      const d = sum - k * mean;
      sq += d * d;
      if (i === n) break;
      sum += returns[i] - returns[i - k];
    }
    const variance = sq / (n - k + 1);
    // A flat series leaves only rounding noise (~1e-30); real returns of even 0.01% have variance ~1e-8.
    if (!(variance > 1e-20)) return null;
    xs.push(Math.log(k));
    ys.push(Math.log(variance));
  }
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxy / sxx / 2;
}

export type RegimeThresholds = { trendAbove: number; rangeBelow: number };
export const DEFAULT_REGIME_THRESHOLDS: RegimeThresholds = { trendAbove: 0.55, rangeBelow: 0.45 };

/** Labels a Hurst exponent: above trendAbove trending, below rangeBelow ranging, between them a random walk. */
export function classifyRegime(hurst: number | null, t: RegimeThresholds = DEFAULT_REGIME_THRESHOLDS): Regime {
  if (hurst === null) return { hurst: null, label: null };
  const label = hurst > t.trendAbove ? 'trend' : hurst < t.rangeBelow ? 'range' : 'random';
  return { hurst, label };
}
