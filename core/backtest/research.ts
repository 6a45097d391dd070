// Research on top of the engine: objectives, parameter search over a strategy's schema, and
// walk-forward analysis that reports only out-of-sample results. All pure and seeded.
import { type Candle, type CandleColumns, sliceColumns, type Timeframe, timeframeMs } from '../market';
import { DEFAULT_QUALITY_OPTIONS } from '../market/quality';
import { type AnyStrategy, getStrategy } from '../strategy';
import {
  type BacktestConfig,
  type BacktestData,
  type BacktestInput,
  type BacktestResult,
  type ColumnarBacktestData,
  runBacktests,
} from './engine';
import { computeMetrics, type Metrics } from './metrics';
import type { EquityPoint, Trade } from './result';
import {
  OBJECTIVES,
  type Objective,
  type OptimizationSpec,
  type ParamSet,
  planOptimization,
  rankTrials,
  searchSpaceOf,
  type Trial,
  tpeSuggest,
} from './search';
import { type Fold, type TimeRange, type WalkForwardSpec, walkForwardFolds } from './walkforward';

/** The score a search maximises. Runs with fewer than `minTrades` trades score -Infinity (ranked last). */
export function scoreOf(metrics: Metrics, objective: Objective = 'sharpe', minTrades = 1): number {
  if (!OBJECTIVES.includes(objective))
    throw new Error(`objective must be one of ${OBJECTIVES.join(', ')}, got ${objective}`);
  if (metrics.trades < minTrades) return Number.NEGATIVE_INFINITY;
  const v = metrics[objective];
  // Profit factor is Infinity without losing trades; rank it high but finite so TPE can use it.
  return Number.isFinite(v) ? v : v > 0 ? 1e6 : Number.NEGATIVE_INFINITY;
}

export interface ResearchSpec {
  method: OptimizationSpec['method'];
  budget: number;
  seed: number;
  objective?: Objective;
  minTrades?: number;
  /** Parameters to search (default: all of the strategy's). */
  searchParams?: string[];
  /** TPE trials run per pass over the data (they share the features); default 8. */
  batchSize?: number;
}

export interface RankedTrial extends Trial {
  params: ParamSet;
  metrics: Pick<
    Metrics,
    'totalReturn' | 'sharpe' | 'sortino' | 'calmar' | 'maxDrawdown' | 'winRate' | 'profitFactor' | 'trades'
  >;
}

function summary(m: Metrics): RankedTrial['metrics'] {
  const { totalReturn, sharpe, sortino, calmar, maxDrawdown, winRate, profitFactor, trades } = m;
  return { totalReturn, sharpe, sortino, calmar, maxDrawdown, winRate, profitFactor, trades };
}

/**
 * Parameter search on one window. Grid and random plans run in one pass over the data; TPE runs in
 * batches of `batchSize` suggestions per pass. Returns every trial, best first.
 */
export function optimizeStrategy(
  base: BacktestConfig,
  spec: ResearchSpec,
  data: BacktestData,
  strategy: AnyStrategy = getStrategy(base.strategyId),
): RankedTrial[] {
  const space = searchSpaceOf(strategy.params, spec.searchParams);
  const objective = spec.objective ?? 'sharpe';
  const minTrades = spec.minTrades ?? 1;
  const evaluate = (sets: ParamSet[]): RankedTrial[] =>
    runBacktests(
      sets.map((p) => ({ ...base, params: { ...base.params, ...(p as Record<string, number | boolean>) } })),
      data,
      strategy,
    ).map((r, i) => ({
      params: sets[i],
      score: scoreOf(r.metrics, objective, minTrades),
      metrics: summary(r.metrics),
    }));
  const plan: OptimizationSpec = { space, method: spec.method, budget: spec.budget, seed: spec.seed };
  if (spec.method !== 'tpe') return rankTrials(evaluate(planOptimization(plan)));
  if (!Number.isInteger(spec.budget) || spec.budget < 1 || spec.budget > 100_000)
    throw new Error(`budget must be an integer from 1 to 100000, got ${spec.budget}`);
  const batch = spec.batchSize ?? 8;
  const history: RankedTrial[] = [];
  while (history.length < spec.budget) {
    const n = Math.min(batch, spec.budget - history.length);
    const sets = Array.from({ length: n }, (_, i) => tpeSuggest(history, space, spec.seed + history.length + i));
    history.push(...evaluate(sets));
  }
  return rankTrials(history);
}

/**
 * How much data to feed before a window: the strategy's warm-up bars (with a margin) plus the data-quality
 * gate's window of base bars, which must be full before the feature engine calls a market healthy.
 */
export function warmupMs(s: AnyStrategy, dataTimeframe: Timeframe): number {
  const ms = Object.entries(s.warmupBars).map(([tf, n]) => (n ?? 0) * timeframeMs(tf as Timeframe));
  return Math.ceil(Math.max(0, ...ms) * 1.5) + DEFAULT_QUALITY_OPTIONS.windowBars * timeframeMs(dataTimeframe);
}

/** Candles from `from - warmup` up to `to`, per market (columns: views on the same memory). */
export function sliceData(data: BacktestData, from: number, to: number): BacktestData;
export function sliceData(data: ColumnarBacktestData, from: number, to: number): ColumnarBacktestData;
export function sliceData(data: BacktestInput, from: number, to: number): BacktestInput;
export function sliceData(data: BacktestInput, from: number, to: number): BacktestInput {
  if ('columns' in data) {
    const columns: Record<string, CandleColumns> = {};
    for (const [m, cols] of Object.entries(data.columns)) {
      const part = sliceColumns(cols, from, to);
      if (part.ts.length) columns[m] = part;
    }
    return { columns, timeframe: data.timeframe };
  }
  const candles: Record<string, Candle[]> = {};
  for (const [m, cs] of Object.entries(data.candles)) {
    const part = cs.filter((c) => c.ts >= from && c.ts < to);
    if (part.length) candles[m] = part;
  }
  return { candles, timeframe: data.timeframe };
}

export interface FoldResult {
  fold: Fold;
  bestParams: ParamSet;
  trainScore: number;
  /** The best parameters run on the test window only. */
  test: BacktestResult;
}

export interface WalkForwardResult {
  folds: FoldResult[];
  /** Test windows chained: each starts from the equity the previous one ended with. */
  outOfSample: Metrics;
  trades: Trade[];
}

export function walkForward(
  base: BacktestConfig,
  range: TimeRange,
  folds: WalkForwardSpec,
  search: ResearchSpec,
  data: BacktestData,
  strategy: AnyStrategy = getStrategy(base.strategyId),
): WalkForwardResult {
  const warm = warmupMs(strategy, data.timeframe);
  const results: FoldResult[] = [];
  for (const fold of walkForwardFolds(range, folds)) {
    const trainData = sliceData(data, fold.train.from - warm, fold.train.to);
    const ranked = optimizeStrategy(
      { ...base, tradeFrom: fold.train.from, tradeTo: fold.train.to },
      { ...search, seed: search.seed + fold.index * 100_003 },
      trainData,
      strategy,
    );
    const best = ranked[0];
    const testData = sliceData(data, fold.test.from - warm, fold.test.to);
    const [test] = runBacktests(
      [
        {
          ...base,
          params: { ...base.params, ...(best.params as Record<string, number | boolean>) },
          tradeFrom: fold.test.from,
          tradeTo: fold.test.to,
        },
      ],
      testData,
      strategy,
    );
    results.push({ fold, bestParams: best.params, trainScore: best.score, test });
  }
  // Chain the test windows' equity: fold k is scaled by the factor folds 0..k-1 ended with.
  const initial = Number(base.initialCashKrw);
  let factor = 1;
  const equity: EquityPoint[] = [];
  const trades: Trade[] = [];
  for (const r of results) {
    for (const p of r.test.equity) equity.push({ ts: p.ts, equity: p.equity * factor });
    factor *= r.test.metrics.finalEquity / initial;
    trades.push(...r.test.trades);
  }
  const outOfSample = computeMetrics({
    initialEquity: initial,
    equity,
    trades,
    fills: results.flatMap((r) => r.test.fills),
    startTs: results[0].fold.test.from,
    endTs: results[results.length - 1].fold.test.to,
  });
  return { folds: results, outOfSample, trades };
}
