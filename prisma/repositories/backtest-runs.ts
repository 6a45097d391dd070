// Backtest runs (`backtest_runs`) as the API and the re-tuning read them, with their equity curve and
// trades. The backtest activities write a run's progress and results (activities/backtest.ts).
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
