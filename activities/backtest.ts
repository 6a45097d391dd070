// Activities of the backtest workflow: load stored candles (once per worker process and request),
// run the engine over parameter-set chunks, and keep every result in the database. Chunk results
// are rows of backtest_chunks (prisma/repositories/backtest-chunks.ts): a retried or repeated chunk
// returns its stored answer instead of computing again.
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { compactResult } from '../core/backtest/compact';
import { type BacktestConfig, type BacktestData, type BacktestResult, runBacktests } from '../core/backtest/engine';
import { DEFAULT_FILL_MODEL } from '../core/backtest/fill';
import { computeMetrics, drawdownCurve, type Metrics } from '../core/backtest/metrics';
import { type Bands, monteCarlo } from '../core/backtest/montecarlo';
import { scoreOf, sliceData, warmupMs } from '../core/backtest/research';
import type { EquityPoint, Fill, Trade } from '../core/backtest/result';
import { type ParamSet, rankTrials } from '../core/backtest/search';
import type { Fold } from '../core/backtest/walkforward';
import type { BacktestRequest, BacktestStatus, ScoredParams } from '../core/contract';
import { getStrategy } from '../core/strategy';
import { loadCandles } from '../exchange/marketdata/load';
import type { Database } from '../prisma/db';
import * as chunks from '../prisma/repositories/backtest-chunks';
import type { ActivityDeps } from './deps';

/** Rows of the ranking kept in a run's result (the best first). */
export const RANKING_ROWS = 100;
/** Most points of an equity curve stored and served. */
export const EQUITY_POINTS = 2000;

// ---- candles, cached per worker process: parallel chunks of one request load them once. Entries expire so a
// range re-run after an import or download reads the new rows.
const CACHE_ENTRIES = 4;
const CACHE_TTL_MS = 10 * 60_000;
const candleCache = new Map<string, { at: number; data: Promise<BacktestData> }>();

/** Candles of the request from its warm-up start to its end, from the `candles` table. */
export function requestData(db: Database, request: BacktestRequest): Promise<BacktestData> {
  const from = request.from - warmupMs(getStrategy(request.strategy), request.timeframe);
  const markets = [...request.markets].sort();
  const key = JSON.stringify([markets, request.timeframe, from, request.to]);
  const cached = candleCache.get(key);
  if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.data;
  const loading = loadCandles(db, { markets, timeframe: request.timeframe, from, to: request.to }).then((candles) => {
    const empty = markets.filter((m) => candles[m].length === 0);
    if (empty.length)
      throw ApplicationFailure.nonRetryable(
        `no ${request.timeframe} candles stored for ${empty.join(', ')}: load them with npm run data:import or npm run data:download`,
        'BacktestInputError',
      );
    return { candles, timeframe: request.timeframe };
  });
  candleCache.delete(key);
  candleCache.set(key, { at: Date.now(), data: loading });
  loading.catch(() => candleCache.delete(key));
  while (candleCache.size > CACHE_ENTRIES) candleCache.delete(candleCache.keys().next().value as string);
  return loading;
}

export function configOf(
  request: BacktestRequest,
  params: ParamSet,
  window: { from: number; to: number },
): BacktestConfig {
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
export function windowData(
  data: BacktestData,
  request: BacktestRequest,
  window: { from: number; to: number },
): BacktestData {
  return sliceData(data, window.from - warmupMs(getStrategy(request.strategy), request.timeframe), window.to);
}

/** Metrics without their curves and period lists; non-finite numbers become null (JSON has no Infinity). */
export function scalarMetrics(m: Metrics): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === 'number') out[k] = Number.isFinite(v) ? v : null;
  return out;
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

interface StoredTrial extends ScoredParams {
  metrics: Record<string, number | null>;
}

interface RunOutcome {
  initialEquity: number;
  equity: EquityPoint[];
  trades: Trade[];
  metrics: Metrics;
}

export function createBacktestActivities({ db }: Pick<ActivityDeps, 'db'>) {
  const prisma = db.prisma;

  async function storeChunk(runId: string, key: string, result: object, totalUnits: number): Promise<void> {
    const done = await chunks.storeChunk(prisma, runId, key, result);
    // The last unit (the summary) sets 1.
    await prisma.backtestRun.updateMany({
      where: { id: runId, status: 'running' },
      data: { progress: Math.min(0.99, done / Math.max(1, totalUnits)) },
    });
  }

  /** Writes a run's trades, its equity curve (thinned) and metrics; completes it unless told otherwise. */
  async function saveOutcome(
    runId: string,
    outcome: RunOutcome,
    result: Record<string, unknown>,
    complete: boolean,
  ): Promise<void> {
    // One point per time (the engine may stamp the end twice): the table's key is (run, ts); the later one counts.
    const curve: EquityPoint[] = [];
    for (const p of outcome.equity) {
      if (curve.length && curve[curve.length - 1].ts === p.ts) curve[curve.length - 1] = p;
      else curve.push(p);
    }
    // compactResult thins a result's curves; only the equity curve is needed here.
    const thinned = compactResult(
      { equity: curve, metrics: { drawdownCurve: [] } } as unknown as BacktestResult,
      EQUITY_POINTS,
    ).equity;
    const drawdowns = drawdownCurve(outcome.initialEquity, thinned);
    await prisma.$transaction([
      prisma.backtestTrade.deleteMany({ where: { runId } }),
      prisma.backtestEquity.deleteMany({ where: { runId } }),
      prisma.backtestTrade.createMany({
        data: outcome.trades.map((t) => ({
          runId,
          market: t.market,
          entryTs: new Date(t.entryTs),
          exitTs: new Date(t.exitTs),
          entryPrice: t.entryPrice,
          exitPrice: t.exitPrice,
          volume: t.volume,
          pnl: t.pnl,
          fees: t.fees,
          entryReason: t.entryReason,
          exitReason: t.exitReason,
        })),
      }),
      prisma.backtestEquity.createMany({
        data: thinned.map((p, i) => ({
          runId,
          ts: new Date(p.ts),
          equity: String(p.equity),
          drawdown: String(drawdowns[i].drawdown),
        })),
      }),
      prisma.backtestRun.updateMany({
        where: { id: runId, status: 'running' },
        data: {
          metrics: scalarMetrics(outcome.metrics),
          result: { ...result, monthlyReturns: outcome.metrics.monthlyReturns } as object,
          ...(complete && { status: 'completed', progress: 1, finishedAt: new Date() }),
        },
      }),
    ]);
  }

  async function runOne(request: BacktestRequest, params: ParamSet, window: { from: number; to: number }) {
    const data = await requestData(db, request);
    heartbeat('candles loaded');
    const [result] = runBacktests([configOf(request, params, window)], windowData(data, request, window));
    return result;
  }

  return {
    /** The run's row (the API writes it first; a run started elsewhere, e.g. by the CLI, gets it here). */
    async backtestBegin(input: { runId: string; request: BacktestRequest }): Promise<void> {
      const { runId, request } = input;
      await prisma.backtestRun.upsert({
        where: { id: runId },
        create: { id: runId, kind: request.kind, status: 'running', params: { request } as object },
        update: {},
      });
    },

    /** What a finished run is, in a few hundred bytes (the full result stays in the database). */
    async backtestSummary(input: { runId: string }): Promise<BacktestSummary> {
      const row = await prisma.backtestRun.findUniqueOrThrow({ where: { id: input.runId } });
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
      const r = await runOne(request, {}, { from: request.from, to: request.to });
      await saveOutcome(
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
      window: { from: number; to: number };
      totalUnits: number;
    }): Promise<ScoredParams[]> {
      const { runId, key, request, paramSets, window } = input;
      heartbeat(key);
      const stored = (await chunks.claimChunk(prisma, runId, key)) as { trials: StoredTrial[] } | undefined;
      if (stored) return stored.trials.map(({ params, score }) => ({ params, score }));
      const data = windowData(await requestData(db, request), request, window);
      heartbeat(key);
      const opt = request.optimize;
      const results = runBacktests(
        paramSets.map((p) => configOf(request, p, window)),
        data,
      );
      const trials: StoredTrial[] = results.map((r, i) => ({
        params: paramSets[i],
        score: finiteOrNull(scoreOf(r.metrics, opt?.objective ?? 'sharpe', opt?.minTrades ?? 1)),
        metrics: scalarMetrics(r.metrics),
      }));
      heartbeat(key);
      await storeChunk(runId, key, { trials }, input.totalUnits);
      return trials.map(({ params, score }) => ({ params, score }));
    },

    /** Ranks every stored trial, runs the winner over the whole range and completes the run. */
    async backtestFinishOptimize(input: { runId: string; request: BacktestRequest; keys: string[] }): Promise<void> {
      const { runId, request } = input;
      const trials = await storedTrials(prisma, runId, input.keys);
      const ranked = rankTrials(trials.map((t) => ({ ...t, score: t.score ?? Number.NEGATIVE_INFINITY })));
      const best = ranked[0];
      const r = await runOne(request, best.params, { from: request.from, to: request.to });
      await saveOutcome(
        runId,
        { initialEquity: Number(r.initialCashKrw), equity: r.equity, trades: r.trades, metrics: r.metrics },
        {
          bestParams: r.params,
          trials: ranked.length,
          ranking: ranked.slice(0, RANKING_ROWS).map((t) => ({
            params: t.params,
            objective: finiteOrNull(t.score),
            metrics: t.metrics,
          })),
        },
        true,
      );
    },

    /** The winning parameters of one fold on its test window; the result stays in the fold's chunk row. */
    async backtestFoldTest(input: {
      runId: string;
      key: string;
      request: BacktestRequest;
      params: ParamSet;
      window: { from: number; to: number };
      totalUnits: number;
    }): Promise<void> {
      const { runId, key, request } = input;
      if (await chunks.claimChunk(prisma, runId, key)) return;
      const r = await runOne(request, input.params, input.window);
      await storeChunk(
        runId,
        key,
        {
          trades: r.trades,
          fills: r.fills,
          equity: r.equity,
          finalEquity: r.metrics.finalEquity,
          metrics: scalarMetrics(r.metrics),
        },
        input.totalUnits,
      );
    },

    /** Chains the folds' test windows into one out-of-sample curve (as core's walkForward does) and completes the run. */
    async backtestFinishWalkForward(input: {
      runId: string;
      request: BacktestRequest;
      folds: { fold: Fold; bestParams: ParamSet; trainScore: number | null; key: string }[];
    }): Promise<void> {
      const { runId, request } = input;
      const initial = Number(request.capitalKrw);
      const byKey = await chunks.chunkResults<FoldTestResult>(
        prisma,
        runId,
        input.folds.map((f) => f.key),
      );
      let factor = 1;
      const equity: EquityPoint[] = [];
      const trades: Trade[] = [];
      const fills: Fill[] = [];
      const folds = [];
      for (const f of input.folds) {
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
        startTs: input.folds[0].fold.test.from,
        endTs: input.folds[input.folds.length - 1].fold.test.to,
      });
      await saveOutcome(runId, { initialEquity: initial, equity, trades, metrics }, { folds }, true);
    },

    /** Shuffled and bootstrapped trade orders of the stored run: percentile bands. Completes the run. */
    async backtestMonteCarlo(input: { runId: string; request: BacktestRequest }): Promise<void> {
      const { runId, request } = input;
      const trades = await prisma.backtestTrade.findMany({
        where: { runId },
        orderBy: [{ exitTs: 'asc' }, { market: 'asc' }],
        select: { pnl: true },
      });
      const mc = request.montecarlo ?? { runs: 1000, seed: 1 };
      const initialEquity = Number(request.capitalKrw);
      const pnls = trades.map((t) => ({ pnl: t.pnl.toString() }));
      const bands =
        pnls.length === 0
          ? null
          : {
              shuffle: monteCarlo(pnls, { method: 'shuffle', runs: mc.runs, seed: mc.seed, initialEquity }),
              bootstrap: monteCarlo(pnls, { method: 'bootstrap', runs: mc.runs, seed: mc.seed, initialEquity }),
            };
      const row = await prisma.backtestRun.findUniqueOrThrow({ where: { id: runId } });
      await prisma.backtestRun.updateMany({
        where: { id: runId, status: 'running' },
        data: {
          result: {
            ...(row.result as object),
            bands,
            ...(bands === null && { bandsNote: 'no closed trades to resample' }),
          } as object,
          status: 'completed',
          progress: 1,
          finishedAt: new Date(),
        },
      });
    },

    /** Final status of a failed or cancelled run (a completed one is never overwritten). */
    async backtestSetStatus(input: { runId: string; status: BacktestStatus; error?: string }): Promise<void> {
      await prisma.backtestRun.updateMany({
        where: { id: input.runId, status: 'running' },
        data: { status: input.status, error: input.error ?? null, finishedAt: new Date() },
      });
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

interface FoldTestResult {
  trades: Trade[];
  fills: Fill[];
  equity: EquityPoint[];
  finalEquity: number;
  metrics: Record<string, number | null>;
}

/** The trials of the given chunks in evaluation order (chunk order, then order within the chunk). */
async function storedTrials(prisma: Database['prisma'], runId: string, keys: string[]): Promise<StoredTrial[]> {
  const byKey = await chunks.chunkResults<{ trials: StoredTrial[] }>(prisma, runId, keys);
  return keys.flatMap((k) => {
    const r = byKey.get(k);
    if (!r) throw new Error(`chunk ${k} of ${runId} has no stored result`);
    return r.trials;
  });
}

export type { BacktestRequest } from '../core/contract';
