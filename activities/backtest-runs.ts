// Running the engine for a backtest activity: the config of one parameter set, a window of the
// candles with its warm-up, one run, and a chunk of parameter sets scored in one pass.
import { heartbeat } from '@temporalio/activity';
import { type BacktestConfig, type BacktestData, runBacktests } from '../core/backtest/engine';
import { DEFAULT_FILL_MODEL } from '../core/backtest/fill';
import { scoreOf, sliceData, warmupMs } from '../core/backtest/research';
import type { ParamSet } from '../core/backtest/search';
import type { BacktestRequest } from '../core/contract';
import { getStrategy } from '../core/strategy';
import type { Database } from '../prisma/db';
import { requestData } from './backtest-candles';
import { finiteOrNull, type StoredTrial, scalarMetrics } from './backtest-results';

/** A time range in epoch ms. */
export interface Window {
  from: number;
  to: number;
}

export function configOf(request: BacktestRequest, params: ParamSet, window: Window): BacktestConfig {
  return {
    strategyId: request.strategy,
    params: { ...request.params, ...(params as Record<string, number | boolean>) },
    initialCashKrw: request.capitalKrw,
    ...(request.feeRate !== undefined && { feeRate: request.feeRate }),
    ...(request.risk !== undefined && { risk: request.risk }),
    ...(request.slippageBps !== undefined && {
      fill: { ...DEFAULT_FILL_MODEL, slippage: { kind: 'fixed', bps: request.slippageBps } },
    }),
    tradeFrom: window.from,
    tradeTo: window.to,
  };
}

/** Candles that cover a window and its warm-up. */
export function windowData(data: BacktestData, request: BacktestRequest, window: Window): BacktestData {
  return sliceData(data, window.from - warmupMs(getStrategy(request.strategy), request.timeframe), window.to);
}

/** One parameter set over one window (the request's candles loaded first). */
export async function runOne(db: Database, request: BacktestRequest, params: ParamSet, window: Window) {
  const data = await requestData(db, request);
  heartbeat('candles loaded');
  const [result] = runBacktests([configOf(request, params, window)], windowData(data, request, window));
  return result;
}

/** Every parameter set of a chunk over one window (`data`: its candles), in one pass over shared features. */
export function scoreChunk(
  data: BacktestData,
  request: BacktestRequest,
  paramSets: ParamSet[],
  window: Window,
): StoredTrial[] {
  const opt = request.optimize;
  const results = runBacktests(
    paramSets.map((p) => configOf(request, p, window)),
    data,
  );
  return results.map((r, i) => ({
    params: paramSets[i],
    score: finiteOrNull(scoreOf(r.metrics, opt?.objective ?? 'sharpe', opt?.minTrades ?? 1)),
    metrics: scalarMetrics(r.metrics),
  }));
}
