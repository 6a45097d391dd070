import { describe, expect, it } from 'vitest';
import { computeMetrics } from './metrics';
import type { Fill, Trade } from './result';

const H = 3_600_000;
const D0 = Date.parse('2025-01-01T00:00:00Z');
const day = (n: number, h = 0) => D0 + n * 24 * H + h * H;

function trade(entryTs: number, exitTs: number, pnl: string): Trade {
  return {
    market: 'KRW-BTC',
    entryTs,
    exitTs,
    volume: '1',
    entryPrice: '1',
    exitPrice: '1',
    fees: '0',
    pnl,
    returnPct: 0,
    entryReason: 'test',
    exitReason: 'test',
    exits: [],
  };
}

function fill(slippageBps: number): Fill {
  return {
    ts: 0,
    market: 'KRW-BTC',
    side: 'bid',
    kind: 'market',
    price: '1',
    volume: '1',
    fee: '0',
    slippageBps,
    reason: '',
  };
}

describe('computeMetrics against hand-worked values', () => {
  // Start 1,000 KRW; one close a day at 12:00 UTC: +10 %, -5 %, +10 %, -5 %.
  // 1000 -> 1100 -> 1045 -> 1149.5 -> 1092.025
  const equity = [1100, 1045, 1149.5, 1092.025].map((e, i) => ({ ts: day(i, 12), equity: e }));
  // Trades (sorted by exit): +100, -50, -30, +60. The last two overlap (d2 00-12h and d2 06h-d3 00h).
  const trades = [
    trade(day(0), day(0, 12), '100'),
    trade(day(1), day(1, 6), '-50'),
    trade(day(2), day(2, 12), '-30'),
    trade(day(2, 6), day(3), '60'),
  ];
  const m = computeMetrics({
    initialEquity: 1000,
    equity,
    trades,
    fills: [fill(10), fill(20), fill(0)],
    startTs: day(0),
    endTs: day(4),
  });

  it('returns', () => {
    expect(m.finalEquity).toBe(1092.025);
    expect(m.totalReturn).toBeCloseTo(0.092025, 12);
    // 4 days -> (1.092025)^(365/4) - 1
    expect(m.annualisedReturn).toBeCloseTo(1.092025 ** (365 / 4) - 1, 6);
    expect(m.dailyReturns.map((d) => d.period)).toEqual(['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04']);
    expect(m.dailyReturns.map((d) => d.return)).toEqual([
      expect.closeTo(0.1, 12),
      expect.closeTo(-0.05, 12),
      expect.closeTo(0.1, 12),
      expect.closeTo(-0.05, 12),
    ]);
    expect(m.monthlyReturns).toEqual([{ ts: D0, period: '2025-01', return: expect.closeTo(0.092025, 12) }]);
  });

  it('risk ratios', () => {
    // mean 0.025; deviations +-0.075; sample variance 4 * 0.005625 / 3 = 0.0075; sd 0.0866025
    // Sharpe = 0.025 / 0.0866025 * sqrt(365) = 0.2886751 * 19.1049732 = 5.51513
    expect(m.sharpe).toBeCloseTo(5.51513, 4);
    // downside deviation sqrt((0.05^2 + 0.05^2) / 4) = 0.0353553; Sortino = 0.7071068 * 19.1049732 = 13.50925
    expect(m.sortino).toBeCloseTo(13.50925, 4);
    // peaks 1100 and 1149.5, each followed by a 5 % fall
    expect(m.maxDrawdown).toBeCloseTo(0.05, 12);
    expect(m.calmar).toBeCloseTo(m.annualisedReturn / 0.05, 6);
    expect(m.drawdownCurve.map((p) => p.drawdown)).toEqual([0, expect.closeTo(0.05, 12), 0, expect.closeTo(0.05, 12)]);
  });

  it('trade statistics', () => {
    expect(m.trades).toBe(4);
    expect(m.winRate).toBe(0.5);
    expect(m.averageWin).toBe(80); // (100 + 60) / 2
    expect(m.averageLoss).toBe(-40); // (-50 - 30) / 2
    expect(m.profitFactor).toBe(2); // 160 / 80
    expect(m.rewardToRisk).toBe(2); // 80 / 40
    expect(m.longestLosingStreak).toBe(2);
    expect(m.averageSlippageBps).toBe(10);
    expect(m.averageHoldingMs).toBe(12 * H); // (12 + 6 + 12 + 18) / 4
    expect(m.tradesPerDay).toBe(1); // 4 trades over 4 days
    // time in market: 12 h + 6 h + (d2 00h .. d3 00h = 24 h) = 42 h of 96 h
    expect(m.exposure).toBeCloseTo(42 / 96, 12);
  });

  it('edge cases: no trades, only wins, bad input', () => {
    const flat = computeMetrics({ initialEquity: 1000, equity: [], trades: [], fills: [], startTs: 0, endTs: 1 });
    expect(flat.totalReturn).toBe(0);
    expect(flat.profitFactor).toBe(0);
    expect(flat.sharpe).toBe(0);
    const winsOnly = computeMetrics({
      initialEquity: 1000,
      equity: [],
      trades: [trade(0, 1, '5')],
      fills: [],
      startTs: 0,
      endTs: 24 * H,
    });
    expect(winsOnly.profitFactor).toBe(Number.POSITIVE_INFINITY);
    expect(() => computeMetrics({ initialEquity: 0, equity: [], trades: [], fills: [], startTs: 0, endTs: 1 })).toThrow(
      /initial equity/,
    );
    expect(() => computeMetrics({ initialEquity: 1, equity: [], trades: [], fills: [], startTs: 5, endTs: 5 })).toThrow(
      /after start/,
    );
  });
});
