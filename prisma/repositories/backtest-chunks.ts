// Backtest chunks (`backtest_chunks`): the stored result of each unit of a run's fan-out (a chunk of parameter
// sets, a fold's test). A retried or repeated activity finds the stored result instead of computing again, and
// `computations` counts how often a chunk was really computed.
import type { Database } from '../db';

type Prisma = Database['prisma'];

/** The stored result of a chunk, or undefined; counts a computation when the caller must compute it. */
export async function claimChunk(prisma: Prisma, runId: string, key: string): Promise<unknown> {
  const row = await prisma.backtestChunk.findUnique({ where: { runId_key: { runId, key } } });
  if (row?.result != null) return row.result;
  await prisma.backtestChunk.upsert({
    where: { runId_key: { runId, key } },
    create: { runId, key, computations: 1 },
    update: { computations: { increment: 1 } },
  });
  return undefined;
}

/** Stores a chunk's result; returns how many chunks of the run are finished. */
export async function storeChunk(prisma: Prisma, runId: string, key: string, result: object): Promise<number> {
  await prisma.backtestChunk.update({
    where: { runId_key: { runId, key } },
    data: { result, finishedAt: new Date() },
  });
  return prisma.backtestChunk.count({ where: { runId, finishedAt: { not: null } } });
}

/** The stored results of the given chunks, by key (a chunk without a result is absent). */
export async function chunkResults<T>(prisma: Prisma, runId: string, keys: string[]): Promise<Map<string, T>> {
  const rows = await prisma.backtestChunk.findMany({ where: { runId, key: { in: keys } } });
  return new Map(rows.filter((r) => r.result != null).map((r) => [r.key, r.result as unknown as T]));
}
