// Rolling correlation of one market's bar returns with another's (KRW-BTC, KRW-ETH). Bars are matched by open
// time, and a return only spans two bars exactly one bar apart, so a gap in either market never pairs a
// one-bar move with a multi-bar one.

/** Closed bars, oldest first. */
export type CloseSeries = { ts: readonly number[]; closes: readonly number[] };

/**
 * Closed bars, oldest first, as open times and the log returns of all but the first: `returns[i - 1]` is
 * ln(close[i] / close[i - 1]) where bar i - 1 opened exactly one bar before bar i (read only there).
 */
export type ReturnSeries = { ts: readonly number[]; returns: readonly number[] };

/**
 * Pearson correlation of the log returns of `a` and `b` over the bars both have, among the last `window` bars of
 * `a`. A return counts only where both markets have the bar and the one `barMs` before it. Null when fewer than
 * `minPairs` returns pair up or either side did not move.
 */
export function returnCorrelation(
  a: ReturnSeries,
  b: ReturnSeries,
  barMs: number,
  window: number,
  minPairs = Math.max(10, Math.ceil(window / 2)),
): number | null {
  const xs: number[] = [];
  const ys: number[] = [];
  // Both series are in time order: walk them together (a merge join on open time).
  let j = 0;
  for (let i = Math.max(1, a.ts.length - window); i < a.ts.length; i++) {
    const t = a.ts[i];
    if (t - a.ts[i - 1] !== barMs) continue;
    while (j < b.ts.length && b.ts[j] < t) j++;
    if (j === 0 || j >= b.ts.length || b.ts[j] !== t || b.ts[j - 1] !== t - barMs) continue;
    xs.push(a.returns[i - 1]);
    ys.push(b.returns[j - 1]);
  }
  if (xs.length < minPairs || !moves(xs) || !moves(ys)) return null;
  return pearson(xs, ys);
}

/**
 * Pearson correlation as trading-signals' getCorrelation computes it, to the bit (the property test holds them
 * equal), without its intermediate arrays: it ran at every decision of every market that reads corrBtc or corrEth.
 * Null where getCorrelation throws (a side without variance, which the callers rule out before).
 */
export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n !== ys.length || n < 2) throw new Error(`pearson: ${n} and ${ys.length} values (two or more pairs needed)`);
  // getAverage: a reduce from 0, in order, over n.
  let sumA = 0;
  let sumB = 0;
  for (let i = 0; i < n; i++) {
    sumA += xs[i];
    sumB += ys[i];
  }
  const averageA = sumA / n;
  const averageB = sumB / n;
  let covariance = 0;
  for (let i = 0; i < n; i++) covariance += (xs[i] - averageA) * (ys[i] - averageB);
  covariance /= n;
  // getStandardDeviation: the root of the average squared difference from the average.
  let squaresA = 0;
  let squaresB = 0;
  for (let i = 0; i < n; i++) {
    const da = xs[i] - averageA;
    const db = ys[i] - averageB;
    squaresA += da * da;
    squaresB += db * db;
  }
  const denominator = Math.sqrt(squaresA / n) * Math.sqrt(squaresB / n);
  return denominator === 0 ? null : covariance / denominator;
}

function moves(xs: readonly number[]): boolean {
  for (const x of xs) if (x !== xs[0]) return true;
  return false;
}
