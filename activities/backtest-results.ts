// Where backtest results go: chunk results in backtest_chunks (with the run's progress), and a run's
// outcome (trades, thinned equity curve with drawdowns, metrics, result) in one transaction.
import { compactResult } from '../core/backtest/compact';
import type { BacktestResult } from '../core/backtest/engine';
import { drawdownCurve, type Metrics } from '../core/backtest/metrics';
import type { EquityPoint, Trade } from '../core/backtest/result';
import type { ScoredParams } from '../core/contract';
import type { Database } from '../prisma/db';
import * as chunks from '../prisma/repositories/backtest-chunks';
import * as runs from '../prisma/repositories/backtest-runs';

/** Most points of an equity curve stored and served. */
export const EQUITY_POINTS = 2000;

type Prisma = Database['prisma'];

/** Metrics without their curves and period lists; non-finite numbers become null (JSON has no Infinity). */
export function scalarMetrics(m: Metrics): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === 'number') out[k] = Number.isFinite(v) ? v : null;
  return out;
}

export const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** One parameter set's score and metrics, as a chunk stores it. */
export interface StoredTrial extends ScoredParams {
  metrics: Record<string, number | null>;
}

export interface RunOutcome {
  initialEquity: number;
  equity: EquityPoint[];
  trades: Trade[];
  metrics: Metrics;
}

/** Stores a chunk's result and moves the run's progress on. */
export async function storeChunk(
  prisma: Prisma,
  runId: string,
  key: string,
  result: object,
  totalUnits: number,
): Promise<void> {
  const done = await chunks.storeChunk(prisma, runId, key, result);
  // The last unit (the summary) sets 1.
  await runs.setProgress(prisma, runId, Math.min(0.99, done / Math.max(1, totalUnits)));
}

/** The trials of the given chunks in evaluation order (chunk order, then order within the chunk). */
export async function storedTrials(prisma: Prisma, runId: string, keys: string[]): Promise<StoredTrial[]> {
  const byKey = await chunks.chunkResults<{ trials: StoredTrial[] }>(prisma, runId, keys);
  return keys.flatMap((k) => {
    const r = byKey.get(k);
    if (!r) throw new Error(`chunk ${k} of ${runId} has no stored result`);
    return r.trials;
  });
}

/** Writes a run's trades, its equity curve (thinned) and metrics; completes it unless told otherwise. */
export async function saveOutcome(
  prisma: Prisma,
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
  await runs.saveRunOutcome(
    prisma,
    runId,
    {
      trades: outcome.trades.map((t) => ({
        market: t.market,
        entryTs: t.entryTs,
        exitTs: t.exitTs,
        entryPrice: t.entryPrice,
        exitPrice: t.exitPrice,
        volume: t.volume,
        pnl: t.pnl,
        fees: t.fees,
        entryReason: t.entryReason,
        exitReason: t.exitReason,
      })),
      equity: thinned.map((p, i) => ({ ts: p.ts, equity: String(p.equity), drawdown: String(drawdowns[i].drawdown) })),
      metrics: scalarMetrics(outcome.metrics),
      result: { ...result, monthlyReturns: outcome.metrics.monthlyReturns },
    },
    complete,
  );
}
