// Rolling correlation of one market's bar returns with another's (KRW-BTC, KRW-ETH). Bars are matched by open
// time, and a return only spans two bars exactly one bar apart, so a gap in either market never pairs a
// one-bar move with a multi-bar one.
import { getCorrelation } from 'trading-signals';

/** Closed bars, oldest first. */
export type CloseSeries = { ts: readonly number[]; closes: readonly number[] };

/**
 * Pearson correlation of the log returns of `a` and `b` over the bars both have, among the last `window` bars of
 * `a`. A return counts only where both markets have the bar and the one `barMs` before it. Null when fewer than
 * `minPairs` returns pair up or either side did not move.
 */
export function returnCorrelation(
  a: CloseSeries,
  b: CloseSeries,
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
    xs.push(Math.log(a.closes[i] / a.closes[i - 1]));
    ys.push(Math.log(b.closes[j] / b.closes[j - 1]));
  }
  if (xs.length < minPairs || !moves(xs) || !moves(ys)) return null;
  return getCorrelation(xs, ys);
}

function moves(xs: readonly number[]): boolean {
  for (const x of xs) if (x !== xs[0]) return true;
  return false;
}
