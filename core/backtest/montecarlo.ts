import { randomIndex, seededRng } from './random';
import type { Trade } from './result';

/**
 * Monte Carlo over a backtest's closed trades. Each trade's net KRW PnL is replayed additively
 * from the initial equity: 'shuffle' permutes the order (same final equity, different drawdowns),
 * 'bootstrap' draws as many trades with replacement (different final equities too).
 */
export interface MonteCarloSpec {
  method: 'shuffle' | 'bootstrap';
  runs: number;
  seed: number;
  initialEquity: number;
}

export interface Percentiles {
  p5: number;
  p50: number;
  p95: number;
}

export interface Bands {
  method: MonteCarloSpec['method'];
  runs: number;
  trades: number;
  finalEquity: Percentiles;
  maxDrawdown: Percentiles;
  /** Share of runs that end below the initial equity. */
  lossProbability: number;
}

/** Linear interpolation between closest ranks on an ascending array. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function bandsOf(values: number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  return { p5: percentile(s, 0.05), p50: percentile(s, 0.5), p95: percentile(s, 0.95) };
}

/** Final equity and max drawdown (fraction of the running peak) of one PnL path. */
export function replayPnl(
  initialEquity: number,
  pnls: ArrayLike<number>,
): { finalEquity: number; maxDrawdown: number } {
  let equity = initialEquity;
  let peak = initialEquity;
  let maxDrawdown = 0;
  for (let i = 0; i < pnls.length; i++) {
    equity += pnls[i];
    if (equity > peak) peak = equity;
    else if (peak > 0) maxDrawdown = Math.max(maxDrawdown, 1 - equity / peak);
  }
  return { finalEquity: equity, maxDrawdown };
}

export function monteCarlo(trades: Pick<Trade, 'pnl'>[], spec: MonteCarloSpec): Bands {
  if (!Number.isInteger(spec.runs) || spec.runs < 1 || spec.runs > 1_000_000)
    throw new Error(`runs must be an integer from 1 to 1,000,000, got ${spec.runs}`);
  if (!(spec.initialEquity > 0)) throw new Error(`initialEquity must be positive, got ${spec.initialEquity}`);
  if (spec.method !== 'shuffle' && spec.method !== 'bootstrap')
    throw new Error(`method must be 'shuffle' or 'bootstrap', got ${JSON.stringify(spec.method)}`);
  const pnls = trades.map((t) => Number(t.pnl));
  if (pnls.some((p) => !Number.isFinite(p))) throw new Error('every trade needs a finite pnl');
  const rng = seededRng(spec.seed);
  const path = new Float64Array(pnls.length);
  const finals: number[] = [];
  const drawdowns: number[] = [];
  for (let r = 0; r < spec.runs; r++) {
    if (spec.method === 'bootstrap') {
      for (let i = 0; i < pnls.length; i++) path[i] = pnls[randomIndex(rng, pnls.length)];
    } else {
      path.set(pnls);
      // Fisher–Yates
      for (let i = path.length - 1; i > 0; i--) {
        const j = randomIndex(rng, i + 1);
        const t = path[i];
        path[i] = path[j];
        path[j] = t;
      }
    }
    const { finalEquity, maxDrawdown } = replayPnl(spec.initialEquity, path);
    finals.push(finalEquity);
    drawdowns.push(maxDrawdown);
  }
  return {
    method: spec.method,
    runs: spec.runs,
    trades: pnls.length,
    finalEquity: bandsOf(finals),
    maxDrawdown: bandsOf(drawdowns),
    lossProbability: finals.filter((f) => f < spec.initialEquity).length / spec.runs,
  };
}
