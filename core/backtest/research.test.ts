import { describe, expect, it } from 'vitest';
import { getStrategy } from '../strategy';
import type { BacktestData } from './engine';
import { breakout, config, H, series } from './hand-built.fixture';
import { optimizeStrategy, scoreOf, sliceData, walkForward } from './research';
import { searchSpaceOf } from './search';
import { syntheticCandles } from './synthetic';

const DAY = 24 * H;

describe('searchSpaceOf', () => {
  it('maps a strategy schema onto the search space', () => {
    expect(searchSpaceOf(breakout.params)).toEqual({ jumpPct: { type: 'float', min: 0.5, max: 2.5, step: 0.5 } });
    const pullback = getStrategy('pullback');
    const space = searchSpaceOf(pullback.params, ['dipLookback', 'confirm5m']);
    expect(space).toEqual({
      dipLookback: { type: 'int', min: 1, max: 20, step: undefined },
      confirm5m: { type: 'choice', values: [false, true] },
    });
    expect(() => searchSpaceOf(pullback.params, ['nope'])).toThrow(/nope: not a parameter/);
  });
});

describe('optimizeStrategy', () => {
  const data: BacktestData = { candles: { 'KRW-ETH': series() }, timeframe: 'minute60' };

  it('grid: ranks the parameter sets by the objective on the hand-built series', () => {
    const trials = optimizeStrategy(
      config,
      { method: 'grid', budget: 10, seed: 1, objective: 'totalReturn' },
      data,
      breakout,
    );
    expect(trials).toHaveLength(5); // 0.5, 1, 1.5, 2, 2.5
    // jumpPct 0.5 and 1 take both trades of the hand calculation: 9,990,943.65367483 / 10,000,000 - 1.
    expect(trials[0].score).toBeCloseTo(-0.000905634632517, 12);
    expect([0.5, 1]).toContain(trials[0].params.jumpPct);
    expect(trials[0].metrics.trades).toBe(2);
    // Above the largest rise (+1.71 %) nothing trades: those rank last with -Infinity.
    expect(trials.slice(-2).map((t) => [t.params.jumpPct, t.score])).toEqual([
      [2, Number.NEGATIVE_INFINITY],
      [2.5, Number.NEGATIVE_INFINITY],
    ]);
  });

  it('tpe: runs the whole budget in batches and is repeatable', () => {
    const spec = { method: 'tpe' as const, budget: 6, seed: 3, objective: 'totalReturn' as const, batchSize: 4 };
    const a = optimizeStrategy(config, spec, data, breakout);
    expect(a).toHaveLength(6);
    expect(optimizeStrategy(config, spec, data, breakout)).toEqual(a);
  });

  it('scoreOf refuses an unknown objective', () => {
    const [t] = optimizeStrategy(config, { method: 'grid', budget: 10, seed: 1 }, data, breakout);
    expect(typeof t.score).toBe('number');
    expect(() => scoreOf({} as never, 'luck' as never)).toThrow(/objective/);
  });
});

describe('walkForward', () => {
  const start = Date.parse('2025-02-01T00:00:00Z');
  const candles = syntheticCandles({
    seed: 11,
    markets: ['KRW-ETH', 'KRW-XRP'],
    from: start,
    bars: 30 * 24,
    barMs: H,
    volatility: 0.006,
  });
  const data: BacktestData = { candles, timeframe: 'minute60' };
  const range = { from: start + 4 * DAY, to: start + 29 * DAY };
  const spec = { mode: 'rolling' as const, trainMs: 10 * DAY, testMs: 5 * DAY };
  const search = { method: 'grid' as const, budget: 10, seed: 1, objective: 'totalReturn' as const };
  const wf = walkForward(config, range, spec, search, data, breakout);

  it('optimises on each train window and reports only the test windows', () => {
    expect(wf.folds.map((f) => [f.fold.test.from - start, f.fold.test.to - start])).toEqual([
      [14 * DAY, 19 * DAY],
      [19 * DAY, 24 * DAY],
      [24 * DAY, 29 * DAY],
    ]);
    expect(wf.trades.length).toBeGreaterThan(0);
    for (const f of wf.folds) {
      for (const t of f.test.trades) {
        expect(t.entryTs).toBeGreaterThanOrEqual(f.fold.test.from);
        expect(t.exitTs).toBeLessThanOrEqual(f.fold.test.to);
      }
    }
    expect(wf.outOfSample.trades).toBe(wf.folds.reduce((s, f) => s + f.test.trades.length, 0));
  });

  it('picks the best train parameters of each fold', () => {
    const f = wf.folds[1];
    const again = optimizeStrategy(
      { ...config, tradeFrom: f.fold.train.from, tradeTo: f.fold.train.to },
      { ...search, seed: search.seed + 100_003 },
      // warm-up: 2 bars x 1.5 + the quality gate's 60 bars
      sliceData(data, f.fold.train.from - 63 * H, f.fold.train.to),
      breakout,
    );
    expect(f.bestParams).toEqual(again[0].params);
    expect(f.trainScore).toBe(again[0].score);
  });
});
