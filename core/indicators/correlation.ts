// Rolling correlation of one market's bar returns with another's (KRW-BTC, KRW-ETH). Bars are matched by open
// time, and a return only spans two bars exactly one bar apart, so a gap in either market never pairs a
// one-bar move with a multi-bar one.
import { getCorrelation } from 'trading-signals';

/** Closed bars, oldest first. */
export type CloseSeries = { ts: readonly number[]; closes: readonly number[] };

/** Log returns of bars that follow their predecessor by exactly `barMs`, keyed by the later bar's open time. */
export function logReturnsByTs(series: CloseSeries, barMs: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 1; i < series.ts.length; i++) {
    if (series.ts[i] - series.ts[i - 1] === barMs)
      out.set(series.ts[i], Math.log(series.closes[i] / series.closes[i - 1]));
  }
  return out;
}

/**
 * Pearson correlation of the log returns of `a` and `b` over the bars both have, among the last `window` bars of
 * `a`. Null when fewer than `minPairs` returns pair up or either side did not move.
 */
export function returnCorrelation(
  a: CloseSeries,
  b: CloseSeries,
  barMs: number,
  window: number,
  minPairs = Math.max(10, Math.ceil(window / 2)),
): number | null {
  const from = Math.max(0, a.ts.length - window - 1);
  const ra = logReturnsByTs({ ts: a.ts.slice(from), closes: a.closes.slice(from) }, barMs);
  const rb = logReturnsByTs(b, barMs);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [ts, x] of ra) {
    const y = rb.get(ts);
    if (y !== undefined) {
      xs.push(x);
      ys.push(y);
    }
  }
  if (xs.length < minPairs) return null;
  if (!moves(xs) || !moves(ys)) return null;
  return getCorrelation(xs, ys);
}

function moves(xs: readonly number[]): boolean {
  for (const x of xs) if (x !== xs[0]) return true;
  return false;
}
