// Results small enough for a Temporal payload (2 MB limit) and a database row: the equity and
// drawdown curves thinned to at most N points (keeping the extremes that define the drawdown).
import type { BacktestResult } from './engine';

function thin<T extends { ts: number }>(points: T[], max: number, keep: (p: T) => number): T[] {
  if (points.length <= max) return points;
  const bucket = Math.ceil(points.length / Math.max(1, Math.floor(max / 2)));
  const out: T[] = [];
  for (let i = 0; i < points.length; i += bucket) {
    const slice = points.slice(i, i + bucket);
    // The lowest and highest point of each bucket, in time order, so peaks and troughs survive.
    let lo = slice[0];
    let hi = slice[0];
    for (const p of slice) {
      if (keep(p) < keep(lo)) lo = p;
      if (keep(p) > keep(hi)) hi = p;
    }
    if (lo === hi) out.push(lo);
    else out.push(...(lo.ts < hi.ts ? [lo, hi] : [hi, lo]));
  }
  const last = points[points.length - 1];
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

export function compactResult(result: BacktestResult, maxPoints = 2000): BacktestResult {
  const equity = thin(result.equity, maxPoints, (p) => p.equity);
  return {
    ...result,
    equity,
    metrics: {
      ...result.metrics,
      // The metrics' curve is the same series as `equity`: not sent twice.
      equityCurve: [],
      drawdownCurve: thin(result.metrics.drawdownCurve, maxPoints, (p) => p.drawdown),
    },
  };
}
