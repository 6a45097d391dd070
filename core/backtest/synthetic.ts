// Seeded synthetic candles for tests and benchmarks: a common market factor plus per-market noise,
// with trending and calm stretches, so strategies have something to trade. Same seed, same candles.
import { type Candle, type CandleColumns, candleAt } from '../market';
import { randomNormal, seededRng } from './random';

export interface SyntheticSpec {
  seed: number;
  markets: string[];
  /** Open time of the first bar (ms). */
  from: number;
  bars: number;
  barMs: number;
  /** Volatility per bar of log price (default 0.0015 for 1-minute bars). */
  volatility?: number;
  startPrice?: number;
}

/** The synthetic candles as columns (a year of 1-minute bars of ten markets in a fraction of the memory). */
export function syntheticColumns(spec: SyntheticSpec): Record<string, CandleColumns> {
  const rng = seededRng(spec.seed);
  const vol = spec.volatility ?? 0.0015;
  const n = spec.markets.length;
  const logPrice = spec.markets.map((_, i) => Math.log((spec.startPrice ?? 1_000_000) * (1 + i * 0.37)));
  const out = spec.markets.map(() => ({
    ts: new Float64Array(spec.bars),
    open: new Float64Array(spec.bars),
    high: new Float64Array(spec.bars),
    low: new Float64Array(spec.bars),
    close: new Float64Array(spec.bars),
    volume: new Float64Array(spec.bars),
  }));
  let drift = 0;
  for (let b = 0; b < spec.bars; b++) {
    // A new trend regime about every 2,000 bars.
    if (rng() < 1 / 2000) drift = (rng() - 0.5) * vol * 0.4;
    const common = randomNormal(rng) * vol * 0.7 + drift;
    const ts = spec.from + b * spec.barMs;
    for (let i = 0; i < n; i++) {
      const open = Math.exp(logPrice[i]);
      logPrice[i] += common + randomNormal(rng) * vol * 0.7;
      const close = Math.exp(logPrice[i]);
      const wick = Math.abs(randomNormal(rng)) * vol * 0.5;
      const c = out[i];
      c.ts[b] = ts;
      c.open[b] = open;
      c.high[b] = Math.max(open, close) * (1 + wick);
      c.low[b] = Math.min(open, close) * (1 - wick * rng());
      c.close[b] = close;
      c.volume[b] = 1 + rng() * 20 * (1 + Math.abs(common) / vol);
    }
  }
  return Object.fromEntries(spec.markets.map((m, i) => [m, out[i]]));
}

export function syntheticCandles(spec: SyntheticSpec): Record<string, Candle[]> {
  const columns = syntheticColumns(spec);
  const out: Record<string, Candle[]> = {};
  for (const m of spec.markets) out[m] = Array.from({ length: spec.bars }, (_, b) => candleAt(columns[m], b));
  return out;
}
