// `npm run bench -- retune [--days 90] [--markets 10] [--budget 16] [--method random] [--strategy pullback]`
// Time of one scheduled re-tuning's computation on seeded synthetic 1-minute candles (no 1-minute real candles ship
// with the project): the walk-forward optimisation over the lookback with the folds the retune workflow uses
// (core/session/retune's retuneFolds, same seeds as the backtest workflow), then the running parameters on the same
// test windows, and the decision. Single process, one core: the workflow spreads the search chunks over `backtest`
// workers, so this is the figure for one worker. Loading the candles from the database is not included. Last line: JSON.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runBacktests } from '../core/backtest/engine';
import { computeMetrics } from '../core/backtest/metrics';
import { scoreOf, sliceData, walkForward, warmupMs } from '../core/backtest/research';
import type { EquityPoint } from '../core/backtest/result';
import type { Objective } from '../core/backtest/search';
import { syntheticCandles } from '../core/backtest/synthetic';
import { decideRetune, retuneFolds } from '../core/session/retune';
import { getStrategy, validateParams } from '../core/strategy';

const DAY = 86_400_000;
const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '90' },
    markets: { type: 'string', default: '10' },
    budget: { type: 'string', default: '16' },
    method: { type: 'string', default: 'random' },
    strategy: { type: 'string', default: 'pullback' },
    objective: { type: 'string', default: 'sharpe' },
  },
});
const days = Number(values.days);
const marketCount = Number(values.markets);
const budget = Number(values.budget);
const method = values.method as 'grid' | 'random' | 'tpe';
const objective = values.objective as Objective;
const strategy = getStrategy(values.strategy as string);

const markets = Array.from({ length: marketCount }, (_, i) => `KRW-M${i}`);
const to = Date.parse('2025-01-01T00:00:00Z');
const warm = warmupMs(strategy, 'minute1');
const from = to - days * DAY;
const bars = Math.ceil((to - from + warm) / 60_000);
let t = performance.now();
const data = {
  candles: syntheticCandles({ seed: 3, markets, from: to - bars * 60_000, bars, barMs: 60_000 }),
  timeframe: 'minute1' as const,
};
const buildMs = performance.now() - t;
const current = validateParams(strategy, {});
if (!current.ok) throw new Error(current.errors.join('; '));
const base = {
  strategyId: strategy.id,
  params: current.params as Record<string, number | boolean>,
  initialCashKrw: '10000000',
};

t = performance.now();
const wf = walkForward(
  base,
  { from, to },
  retuneFolds(days),
  { method, budget, seed: 1, objective, minTrades: 1 },
  data,
);
const searchMs = performance.now() - t;

t = performance.now();
let factor = 1;
const equity: EquityPoint[] = [];
const runs = wf.folds.map((f) => {
  const [r] = runBacktests(
    [{ ...base, tradeFrom: f.fold.test.from, tradeTo: f.fold.test.to }],
    sliceData(data, f.fold.test.from - warm, f.fold.test.to),
  );
  for (const p of r.equity) equity.push({ ts: p.ts, equity: p.equity * factor });
  factor *= r.metrics.finalEquity / Number(base.initialCashKrw);
  return r;
});
const currentMetrics = computeMetrics({
  initialEquity: Number(base.initialCashKrw),
  equity,
  trades: runs.flatMap((r) => r.trades),
  fills: runs.flatMap((r) => r.fills),
  startTs: wf.folds[0].fold.test.from,
  endTs: wf.folds[wf.folds.length - 1].fold.test.to,
});
const finite = (x: number) => (Number.isFinite(x) ? x : null);
const decision = decideRetune({
  strategy,
  retune: { apply: 'propose', minImprovement: 0 },
  current: base.params,
  candidate: { ...base.params, ...(wf.folds[wf.folds.length - 1].bestParams as Record<string, number | boolean>) },
  currentScore: finite(scoreOf(currentMetrics, objective, 1)),
  candidateScore: finite(scoreOf(wf.outOfSample, objective, 1)),
});
const compareMs = performance.now() - t;

const candles = Object.values(data.candles).reduce((n, c) => n + c.length, 0);
const totalMs = searchMs + compareMs;
console.log(
  `retune: ${strategy.id}, ${days} days x ${marketCount} markets of 1-minute candles (${candles} bars), ` +
    `${wf.folds.length} folds x ${budget} ${method} sets`,
);
console.log(
  `  walk-forward search ${(searchMs / 1000).toFixed(1)} s, running parameters on the test windows ${(compareMs / 1000).toFixed(1)} s`,
);
console.log(
  `  one re-tuning run: ${(totalMs / 60_000).toFixed(2)} min (data generation ${(buildMs / 1000).toFixed(1)} s not counted)`,
);
console.log(`  decision: ${decision.action} (${decision.reason}); load average ${loadavg()[0].toFixed(1)}`);
console.log(
  JSON.stringify({
    bench: 'retune',
    strategy: strategy.id,
    days,
    markets: marketCount,
    bars: candles,
    folds: wf.folds.length,
    budget,
    method,
    searchMs: Math.round(searchMs),
    compareMs: Math.round(compareMs),
    totalMs: Math.round(totalMs),
    decision: decision.action,
    loadavg1: loadavg()[0],
  }),
);
