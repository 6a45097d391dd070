// Backtest runs (`backtest_runs`) as the API and the re-tuning read them, with their equity curve and
// trades, and as the backtest activities write them: progress, the outcome (trades, equity curve, metrics) in
// one transaction, the final status. Only a run still `running` is written: a completed, failed or cancelled run
// is never overwritten.
import type { BacktestEquity, BacktestKind, BacktestRun, BacktestTrade, PrismaClient } from '../db';

/** A run by id, or null. */
export function findRun(prisma: PrismaClient, id: string): Promise<BacktestRun | null> {
  return prisma.backtestRun.findUnique({ where: { id } });
}

/** The newest runs first, at most `take`. */
export function listRuns(prisma: PrismaClient, take: number): Promise<BacktestRun[]> {
  return prisma.backtestRun.findMany({ orderBy: { createdAt: 'desc' }, take });
}

/** Stores a new run in status `running`, with its request. */
export async function createRun(
  prisma: PrismaClient,
  run: { id: string; kind: BacktestKind; request: object },
): Promise<void> {
  await prisma.backtestRun.create({
    data: { id: run.id, kind: run.kind, status: 'running', params: { request: run.request } },
  });
}

/** Ends a run as failed, with why. */
export async function failRun(prisma: PrismaClient, id: string, error: string): Promise<void> {
  await prisma.backtestRun.update({ where: { id }, data: { status: 'failed', error, finishedAt: new Date() } });
}

/** A run's equity curve (oldest first) and trades (by entry time, then market). */
export function runCurveAndTrades(prisma: PrismaClient, runId: string): Promise<[BacktestEquity[], BacktestTrade[]]> {
  return Promise.all([
    prisma.backtestEquity.findMany({ where: { runId }, orderBy: { ts: 'asc' } }),
    prisma.backtestTrade.findMany({ where: { runId }, orderBy: [{ entryTs: 'asc' }, { market: 'asc' }] }),
  ]);
}

/** A run by id; throws when there is none. */
export async function getRun(prisma: PrismaClient, id: string): Promise<BacktestRun> {
  const row = await findRun(prisma, id);
  if (!row) throw new Error(`no backtest run ${id}`);
  return row;
}

/** The run's row if it has none yet (a run started elsewhere than the API, e.g. by the CLI). */
export async function ensureRun(
  prisma: PrismaClient,
  run: { id: string; kind: BacktestKind; request: object },
): Promise<void> {
  await prisma.backtestRun.upsert({
    where: { id: run.id },
    create: { id: run.id, kind: run.kind, status: 'running', params: { request: run.request } },
    update: {},
  });
}

/** Moves a running run's progress (0..1). */
export async function setProgress(prisma: PrismaClient, id: string, progress: number): Promise<void> {
  await prisma.backtestRun.updateMany({ where: { id, status: 'running' }, data: { progress } });
}

/** A run's trade PnLs in exit order (then market). */
export async function tradePnls(prisma: PrismaClient, runId: string): Promise<string[]> {
  const trades = await prisma.backtestTrade.findMany({
    where: { runId },
    orderBy: [{ exitTs: 'asc' }, { market: 'asc' }],
    select: { pnl: true },
  });
  return trades.map((t) => t.pnl.toString());
}

export interface RunTradeRow {
  market: string;
  entryTs: number;
  exitTs: number;
  entryPrice: string;
  exitPrice: string;
  volume: string;
  pnl: string;
  fees: string;
  entryReason: string;
  exitReason: string;
}

/**
 * Replaces a running run's trades and equity curve and writes its metrics and result, in one transaction;
 * `complete` also ends it completed.
 */
export async function saveRunOutcome(
  prisma: PrismaClient,
  runId: string,
  outcome: {
    trades: RunTradeRow[];
    equity: { ts: number; equity: string; drawdown: string }[];
    metrics: object;
    result: object;
  },
  complete: boolean,
): Promise<void> {
  await prisma.$transaction([
    prisma.backtestTrade.deleteMany({ where: { runId } }),
    prisma.backtestEquity.deleteMany({ where: { runId } }),
    prisma.backtestTrade.createMany({
      data: outcome.trades.map((t) => ({
        ...t,
        runId,
        entryTs: new Date(t.entryTs),
        exitTs: new Date(t.exitTs),
      })),
    }),
    prisma.backtestEquity.createMany({
      data: outcome.equity.map((p) => ({ runId, ts: new Date(p.ts), equity: p.equity, drawdown: p.drawdown })),
    }),
    prisma.backtestRun.updateMany({
      where: { id: runId, status: 'running' },
      data: {
        metrics: outcome.metrics,
        result: outcome.result,
        ...(complete && { status: 'completed', progress: 1, finishedAt: new Date() }),
      },
    }),
  ]);
}

/** Ends a running run completed with this result. */
export async function completeRun(prisma: PrismaClient, id: string, result: object): Promise<void> {
  await prisma.backtestRun.updateMany({
    where: { id, status: 'running' },
    data: { result, status: 'completed', progress: 1, finishedAt: new Date() },
  });
}

/** Ends a running run with a final status (failed or cancelled), with why. */
export async function endRun(prisma: PrismaClient, id: string, status: string, error: string | null): Promise<void> {
  await prisma.backtestRun.updateMany({
    where: { id, status: 'running' },
    data: { status, error, finishedAt: new Date() },
  });
}
