// Activities of the backtest workflow: load stored candles (once per worker process and request),
// run the engine over parameter-set chunks, and keep every result in the database. Chunk results
// are rows of backtest_chunks (prisma/repositories/backtest-chunks.ts): a retried or repeated chunk
// returns its stored answer instead of computing again. The parts: backtest-candles.ts (candle
// loading), backtest-runs.ts (engine runs and chunk scoring), backtest-results.ts (result storage),
// backtest-fanout.ts (ranking and walk-forward chaining).
import { heartbeat } from '@temporalio/activity';
import { type Bands, monteCarlo } from '../core/backtest/montecarlo';
import type { ParamSet } from '../core/backtest/search';
import type { BacktestRequest, BacktestStatus, ScoredParams } from '../core/contract';
import * as chunks from '../prisma/repositories/backtest-chunks';
import * as runs from '../prisma/repositories/backtest-runs';
import { requestData } from './backtest-candles';
import { chainFoldTests, type FoldPlan, type FoldTestResult, rankingRows, rankStoredTrials } from './backtest-fanout';
import { type StoredTrial, saveOutcome, scalarMetrics, storeChunk, storedTrials } from './backtest-results';
import { runOne, scoreChunk, type Window, windowData } from './backtest-runs';
import type { ActivityDeps } from './deps';

export function createBacktestActivities({ db }: Pick<ActivityDeps, 'db'>) {
  const prisma = db.prisma;

  return {
    /** The run's row (the API writes it first; a run started elsewhere, e.g. by the CLI, gets it here). */
    async backtestBegin(input: { runId: string; request: BacktestRequest }): Promise<void> {
      const { runId, request } = input;
      await runs.ensureRun(prisma, { id: runId, kind: request.kind, request });
    },

    /** What a finished run is, in a few hundred bytes (the full result stays in the database). */
    async backtestSummary(input: { runId: string }): Promise<BacktestSummary> {
      const row = await runs.getRun(prisma, input.runId);
      const result = (row.result ?? {}) as {
        bestParams?: ParamSet;
        ranking?: BacktestSummary['ranking'];
        bands?: BacktestSummary['bands'];
        folds?: unknown[];
      };
      return {
        runId: row.id,
        status: row.status,
        metrics: (row.metrics ?? {}) as Record<string, number | null>,
        ...(result.bestParams && { bestParams: result.bestParams }),
        ...(result.ranking && { ranking: result.ranking.slice(0, 10) }),
        ...(result.bands && { bands: result.bands }),
        ...(result.folds && { folds: result.folds.length }),
      };
    },

    /** One run over the whole range (kinds `backtest` and the base run of `montecarlo`). */
    async backtestSingle(input: {
      runId: string;
      request: BacktestRequest;
      complete: boolean;
    }): Promise<{ trades: number }> {
      const { runId, request } = input;
      const r = await runOne(db, request, {}, { from: request.from, to: request.to });
      await saveOutcome(
        prisma,
        runId,
        { initialEquity: Number(r.initialCashKrw), equity: r.equity, trades: r.trades, metrics: r.metrics },
        { rejections: r.rejections, skipped: r.skipped, evaluations: r.evaluations },
        input.complete,
      );
      return { trades: r.trades.length };
    },

    /** A chunk of parameter sets on one window, in one pass over shared features. Returns the scores. */
    async backtestChunk(input: {
      runId: string;
      key: string;
      request: BacktestRequest;
      paramSets: ParamSet[];
      window: Window;
      totalUnits: number;
    }): Promise<ScoredParams[]> {
      const { runId, key, request, paramSets, window } = input;
      heartbeat(key);
      const stored = (await chunks.claimChunk(prisma, runId, key)) as { trials: StoredTrial[] } | undefined;
      if (stored) return stored.trials.map(({ params, score }) => ({ params, score }));
      const data = windowData(await requestData(db, request), request, window);
      heartbeat(key);
      const trials = await scoreChunk(data, request, paramSets, window, key);
      await storeChunk(prisma, runId, key, { trials }, input.totalUnits);
      return trials.map(({ params, score }) => ({ params, score }));
    },

    /** Ranks every stored trial, runs the winner over the whole range and completes the run. */
    async backtestFinishOptimize(input: { runId: string; request: BacktestRequest; keys: string[] }): Promise<void> {
      const { runId, request } = input;
      const ranked = rankStoredTrials(await storedTrials(prisma, runId, input.keys));
      const r = await runOne(db, request, ranked[0].params, { from: request.from, to: request.to });
      await saveOutcome(
        prisma,
        runId,
        { initialEquity: Number(r.initialCashKrw), equity: r.equity, trades: r.trades, metrics: r.metrics },
        { bestParams: r.params, trials: ranked.length, ranking: rankingRows(ranked) },
        true,
      );
    },

    /** The winning parameters of one fold on its test window; the result stays in the fold's chunk row. */
    async backtestFoldTest(input: {
      runId: string;
      key: string;
      request: BacktestRequest;
      params: ParamSet;
      window: Window;
      totalUnits: number;
    }): Promise<void> {
      const { runId, key, request } = input;
      if (await chunks.claimChunk(prisma, runId, key)) return;
      const r = await runOne(db, request, input.params, input.window);
      const result: FoldTestResult = {
        trades: r.trades,
        fills: r.fills,
        equity: r.equity,
        finalEquity: r.metrics.finalEquity,
        metrics: scalarMetrics(r.metrics),
      };
      await storeChunk(prisma, runId, key, result, input.totalUnits);
    },

    /** Chains the folds' test windows into one out-of-sample curve (as core's walkForward does) and completes the run. */
    async backtestFinishWalkForward(input: {
      runId: string;
      request: BacktestRequest;
      folds: FoldPlan[];
    }): Promise<void> {
      const { runId, request } = input;
      const byKey = await chunks.chunkResults<FoldTestResult>(
        prisma,
        runId,
        input.folds.map((f) => f.key),
      );
      const { outcome, folds } = chainFoldTests(Number(request.capitalKrw), input.folds, byKey);
      await saveOutcome(prisma, runId, outcome, { folds }, true);
    },

    /** Shuffled and bootstrapped trade orders of the stored run: percentile bands. Completes the run. */
    async backtestMonteCarlo(input: { runId: string; request: BacktestRequest }): Promise<void> {
      const { runId, request } = input;
      const pnls = (await runs.tradePnls(prisma, runId)).map((pnl) => ({ pnl }));
      const mc = request.montecarlo ?? { runs: 1000, seed: 1 };
      const initialEquity = Number(request.capitalKrw);
      const bands =
        pnls.length === 0
          ? null
          : {
              shuffle: monteCarlo(pnls, { method: 'shuffle', runs: mc.runs, seed: mc.seed, initialEquity }),
              bootstrap: monteCarlo(pnls, { method: 'bootstrap', runs: mc.runs, seed: mc.seed, initialEquity }),
            };
      const row = await runs.getRun(prisma, runId);
      await runs.completeRun(prisma, runId, {
        ...(row.result as object),
        bands,
        ...(bands === null && { bandsNote: 'no closed trades to resample' }),
      });
    },

    /** Final status of a failed or cancelled run (a completed one is never overwritten). */
    async backtestSetStatus(input: { runId: string; status: BacktestStatus; error?: string }): Promise<void> {
      await runs.endRun(prisma, input.runId, input.status, input.error ?? null);
    },
  };
}

export interface BacktestSummary {
  runId: string;
  status: string;
  metrics: Record<string, number | null>;
  bestParams?: ParamSet;
  /** The ten best of a search. */
  ranking?: { params: ParamSet; objective: number | null; metrics: Record<string, number | null> }[];
  bands?: Record<string, Bands>;
  /** Walk-forward folds. */
  folds?: number;
}
