// Shared by the engine and research tests: a tiny strategy plugin and a hand-built price series.
import type { Candle } from '../market';
import type { Strategy } from '../strategy';
import type { BacktestConfig } from './engine';

// A plain strategy plugin for the test: enter when the last closed 60m bar rose more than jumpPct.
// It goes through the same evaluateMarket / risk / exit-plan code as every built-in strategy.
export const breakout: Strategy<{ jumpPct: number }> = {
  id: 'test-breakout',
  name: 'Test breakout',
  description: 'enters after a closed bar rises more than jumpPct',
  params: {
    type: 'object',
    properties: {
      jumpPct: { type: 'number', minimum: 0.5, maximum: 2.5, step: 0.5, default: 1, description: 'rise that triggers' },
    },
  },
  defaults: { jumpPct: 1 },
  entryTimeframe: 'minute60',
  warmupBars: { minute60: 2 },
  timeframes: ['minute60'],
  evaluate({ market, snapshot, params, position }) {
    const c = snapshot.timeframes.minute60.closes;
    if (position || c.length < 2) return [];
    const change = (c[c.length - 1] / c[c.length - 2] - 1) * 100;
    if (!(change > params.jumpPct)) return [];
    return [
      { kind: 'entry', market, score: 1, reasons: [`close up ${change.toFixed(2)}%`], targetPct: 3, factors: {} },
    ];
  },
};

export const H = 3_600_000;
export const T0 = Date.parse('2025-03-03T00:00:00Z');
export const bar = (i: number, open: number, high: number, low: number, close: number): Candle => ({
  ts: T0 + i * H,
  open,
  high,
  low,
  close,
  volume: 10,
});
// 60 quiet bars first: the feature engine's data-quality gate wants a full hour window of history.
const quiet = Array.from({ length: 60 }, (_, i) => bar(i - 60, 2_000_000, 2_000_000, 2_000_000, 2_000_000));
export const series = (): Candle[] => [
  ...quiet,
  bar(0, 2_000_000, 2_000_000, 2_000_000, 2_000_000),
  bar(1, 2_000_000, 2_000_000, 2_000_000, 2_000_000),
  bar(2, 2_000_000, 2_000_000, 2_000_000, 2_000_000),
  bar(3, 2_000_000, 2_030_000, 2_000_000, 2_030_000), // +1.5 % -> entry signal at 04:00
  bar(4, 2_040_000, 2_050_000, 2_035_000, 2_045_000), // buy at open 2,040,000
  bar(5, 2_045_000, 2_085_000, 2_040_000, 2_080_000), // take-profit 2,081,000 hit; close +1.71 % -> entry signal
  bar(6, 2_080_000, 2_125_000, 2_035_000, 2_040_000), // buy at open 2,080,000; stop AND take-profit crossed: stop first
  bar(7, 2_040_000, 2_040_000, 2_040_000, 2_040_000),
];

export const config: BacktestConfig = {
  strategyId: breakout.id,
  initialCashKrw: '10000000',
  feeRate: '0.0005',
  fill: { slippage: { kind: 'fixed', bps: 0 }, limitVolumeCap: 0.1 },
  risk: {
    riskPerTradePct: 10,
    maxCoinWeightPct: 50,
    maxTotalExposurePct: 100,
    exit: {
      stopMode: 'pct',
      stopPct: 2,
      takeProfit: [{ atPct: 2, fraction: 1 }],
      trailingAtrMultiple: 0,
      blowOffRsi: 0,
      timeExitBars: 0,
    },
    edge: { feeMultiple: 0, atrMultiple: 0, slippagePct: 0 },
  },
};
