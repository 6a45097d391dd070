import { describe, expect, it } from 'vitest';
import { compactResult } from './compact';
import type { BacktestResult } from './engine';
import { drawdownCurve } from './metrics';

describe('compactResult', () => {
  it('thins long curves but keeps the peak, the trough and the last point', () => {
    // 10,000 points rising to a peak of 2,000 at i = 3,000, falling to 500 at i = 7,000, ending at 900.
    const equity = Array.from({ length: 10_000 }, (_, i) => ({
      ts: i,
      equity:
        i <= 3000 ? 1000 + i / 3 : i <= 7000 ? 2000 - ((i - 3000) * 1500) / 4000 : 500 + ((i - 7000) * 400) / 2999,
    }));
    const dd = drawdownCurve(1000, equity);
    const result = { equity, metrics: { equityCurve: equity, drawdownCurve: dd } } as unknown as BacktestResult;
    const small = compactResult(result, 200);
    expect(small.equity.length).toBeLessThanOrEqual(202);
    expect(Math.max(...small.equity.map((p) => p.equity))).toBe(2000);
    expect(Math.min(...small.equity.map((p) => p.equity))).toBe(500);
    expect(small.equity[small.equity.length - 1]).toEqual(equity[equity.length - 1]);
    expect(Math.max(...small.metrics.drawdownCurve.map((p) => p.drawdown))).toBeCloseTo(0.75, 12);
    expect(small.metrics.equityCurve).toEqual([]);
    // Short curves pass unchanged.
    expect(compactResult(result, 20_000).equity).toBe(equity);
  });
});
