// What the optimisation fan-out's finishing steps compute from the stored chunks: the ranking of a
// search, and the walk-forward folds' test windows chained into one out-of-sample run (as core's
// walkForward does).
import { computeMetrics } from '../core/backtest/metrics';
import type { EquityPoint, Fill, Trade } from '../core/backtest/result';
import { type ParamSet, rankTrials } from '../core/backtest/search';
import type { Fold } from '../core/backtest/walkforward';
import { finiteOrNull, type RunOutcome, type StoredTrial } from './backtest-results';

/** Rows of the ranking kept in a run's result (the best first). */
export const RANKING_ROWS = 100;

/** Trials best first (a trial without a score last). */
export function rankStoredTrials(trials: StoredTrial[]) {
  return rankTrials(trials.map((t) => ({ ...t, score: t.score ?? Number.NEGATIVE_INFINITY })));
}

/** The ranking rows a search's result keeps. */
export function rankingRows(ranked: ReturnType<typeof rankStoredTrials>) {
  return ranked.slice(0, RANKING_ROWS).map((t) => ({
    params: t.params,
    objective: finiteOrNull(t.score),
    metrics: t.metrics,
  }));
}

/** The stored result of one fold's test window. */
export interface FoldTestResult {
  trades: Trade[];
  fills: Fill[];
  equity: EquityPoint[];
  finalEquity: number;
  metrics: Record<string, number | null>;
}

export interface FoldPlan {
  fold: Fold;
  bestParams: ParamSet;
  trainScore: number | null;
  key: string;
}

/**
 * The folds' test windows as one run: each window's equity scaled by what the windows before it
 * made, their trades and fills in order, metrics over the whole; plus one row per fold.
 */
export function chainFoldTests(initial: number, plans: FoldPlan[], byKey: Map<string, FoldTestResult>) {
  let factor = 1;
  const equity: EquityPoint[] = [];
  const trades: Trade[] = [];
  const fills: Fill[] = [];
  const folds = [];
  for (const f of plans) {
    const test = byKey.get(f.key);
    if (!test) throw new Error(`fold ${f.fold.index}: its test result is not stored`);
    for (const p of test.equity) equity.push({ ts: p.ts, equity: p.equity * factor });
    factor *= test.finalEquity / initial;
    trades.push(...test.trades);
    fills.push(...test.fills);
    folds.push({
      index: f.fold.index,
      train: f.fold.train,
      test: f.fold.test,
      bestParams: f.bestParams,
      trainScore: f.trainScore,
      testMetrics: test.metrics,
    });
  }
  const metrics = computeMetrics({
    initialEquity: initial,
    equity,
    trades,
    fills,
    startTs: plans[0].fold.test.from,
    endTs: plans[plans.length - 1].fold.test.to,
  });
  const outcome: RunOutcome = { initialEquity: initial, equity, trades, metrics };
  return { outcome, folds };
}
