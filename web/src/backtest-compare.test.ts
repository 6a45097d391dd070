import { describe, expect, it } from 'vitest';
import { compareMetrics } from './backtest-compare';

describe('comparing two backtest runs', () => {
  it('lists every metric of either run with the difference where both have it', () => {
    expect(
      compareMetrics(
        { totalReturnPct: 12.5, sharpe: 1.2, trades: 40 },
        { totalReturnPct: 10, trades: 52, winRate: 0.5 },
      ),
    ).toEqual([
      { name: 'totalReturnPct', a: 12.5, b: 10, diff: -2.5 },
      { name: 'sharpe', a: 1.2, b: null, diff: null },
      { name: 'trades', a: 40, b: 52, diff: 12 },
      { name: 'winRate', a: null, b: 0.5, diff: null },
    ]);
    expect(compareMetrics(undefined, { sharpe: Number.NaN })).toEqual([
      { name: 'sharpe', a: null, b: null, diff: null },
    ]);
  });
});
