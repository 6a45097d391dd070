// Running the engine for a backtest activity: the config of one parameter set, a window of the
// candles with its warm-up, one run, and a chunk of parameter sets scored in one pass.
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import type { BacktestConfig, BacktestInput, BacktestResult } from '../core/backtest/engine';
import { DEFAULT_FILL_MODEL } from '../core/backtest/fill';
import { scoreOf, sliceData, warmupMs } from '../core/backtest/research';
import type { ParamSet } from '../core/backtest/search';
import type { BacktestRequest } from '../core/contract';
import { getStrategy } from '../core/strategy';
import type { Database } from '../prisma/db';
import { requestData } from './backtest-candles';
import { finiteOrNull, type StoredTrial, scalarMetrics } from './backtest-results';
import { runBacktestsOnThread } from './engine-thread';

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
export function windowData(data: BacktestInput, request: BacktestRequest, window: Window): BacktestInput {
  return sliceData(data, window.from - warmupMs(getStrategy(request.strategy), request.timeframe), window.to);
}

/**
 * An engine pass of a backtest activity, on the engine thread: the activity heartbeats `progress` while it runs
 * and its cancellation ends the pass.
 */
export function activityPass(
  configs: BacktestConfig[],
  data: BacktestInput,
  progress: unknown,
): Promise<BacktestResult[]> {
  heartbeat(progress);
  return runBacktestsOnThread(configs, data, { signal: cancellationSignal(), beat: () => heartbeat(progress) });
}

/** One parameter set over one window (the request's candles loaded first). */
export async function runOne(db: Database, request: BacktestRequest, params: ParamSet, window: Window) {
  const data = await requestData(db, request);
  const [result] = await activityPass([configOf(request, params, window)], windowData(data, request, window), 'run');
  return result;
}

/** Every parameter set of a chunk over one window (`data`: its candles), in one pass over shared features. */
export async function scoreChunk(
  data: BacktestInput,
  request: BacktestRequest,
  paramSets: ParamSet[],
  window: Window,
  progress: unknown,
): Promise<StoredTrial[]> {
  const opt = request.optimize;
  const results = await activityPass(
    paramSets.map((p) => configOf(request, p, window)),
    data,
    progress,
  );
  return results.map((r, i) => ({
    params: paramSets[i],
    score: finiteOrNull(scoreOf(r.metrics, opt?.objective ?? 'sharpe', opt?.minTrades ?? 1)),
    metrics: scalarMetrics(r.metrics),
  }));
}
