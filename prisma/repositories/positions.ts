// Positions (`positions`): what each position workflow recorded of its entry, exits and result. Keyed
// by the workflow's position id, so a retried recording leaves the same row.
import type { TradingMode } from '../../core/session/config';
import type { Position, PrismaClient } from '../db';
import { type AlertMessage, queueAlert } from './events';

export type PositionStatus = 'entering' | 'open' | 'closing' | 'closed';

/** The fields a recording sets; money fields are decimal strings, written exactly. Absent ones stay. */
export interface PositionChanges {
  status: PositionStatus;
  entryPrice?: string;
  volume?: string;
  remainingVolume?: string;
  realizedPnl?: string;
  fees?: string;
  avgExitPrice?: string;
  exitPlan?: object;
  exitReason?: string;
  closedAt?: Date;
}

/** A position's recorded status, or null when none is recorded. */
export async function positionStatus(prisma: PrismaClient, id: string): Promise<PositionStatus | null> {
  const row = await prisma.position.findUnique({ where: { id }, select: { status: true } });
  return (row?.status as PositionStatus | undefined) ?? null;
}

/**
 * Creates the position (with an empty exit plan unless given) or updates it, and queues the alert when
 * given, in one transaction.
 */
export async function savePosition(
  prisma: PrismaClient,
  key: { id: string; sessionId: string; market: string },
  changes: PositionChanges,
  alert?: AlertMessage & { dedupeKey: string },
): Promise<void> {
  const data = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as PositionChanges;
  const upsert = prisma.position.upsert({
    where: { id: key.id },
    create: { ...key, exitPlan: {}, ...data },
    update: data,
  });
  // One statement is atomic on its own: a transaction only for the row with its alert. The entry's row is written on
  // the way to its order, where BEGIN and COMMIT were two more round trips.
  if (alert) await prisma.$transaction([upsert, queueAlert(prisma, alert)]);
  else await upsert;
}

/** A session's open positions in these markets. */
export function openPositionsIn(
  prisma: PrismaClient,
  sessionId: string,
  markets: string[],
): Promise<Pick<Position, 'market' | 'entryPrice' | 'openedAt'>[]> {
  return prisma.position.findMany({
    where: { sessionId, status: 'open', market: { in: markets } },
    select: { market: true, entryPrice: true, openedAt: true },
  });
}

/** Positions that hold coins (open or closing), of one session or of every session of a mode. */
export function holdingPositions(
  prisma: PrismaClient,
  scope: { sessionId: string } | { mode: TradingMode },
): Promise<Pick<Position, 'entryPrice' | 'remainingVolume'>[]> {
  const session = 'sessionId' in scope ? { id: scope.sessionId } : { mode: scope.mode };
  return prisma.position.findMany({
    where: { status: { in: ['open', 'closing'] }, session },
    select: { entryPrice: true, remainingVolume: true },
  });
}

/** Positions not closed yet of the sessions of these modes. */
export function unclosedPositions(
  prisma: PrismaClient,
  modes: TradingMode[],
): Promise<Pick<Position, 'id' | 'market' | 'status' | 'remainingVolume'>[]> {
  return prisma.position.findMany({
    where: { status: { in: ['entering', 'open', 'closing'] }, session: { mode: { in: modes } } },
    select: { id: true, market: true, status: true, remainingVolume: true },
  });
}

/** Positions of a mode's sessions closed since `since`, in the order they closed. */
export function closedPositionsSince(
  prisma: PrismaClient,
  mode: TradingMode,
  since: Date,
): Promise<Pick<Position, 'realizedPnl' | 'closedAt'>[]> {
  return prisma.position.findMany({
    where: { status: 'closed', session: { mode }, closedAt: { gte: since } },
    select: { realizedPnl: true, closedAt: true },
    orderBy: { closedAt: 'asc' },
  });
}

/** Positions, newest first; of one session, and only open (not closed) or closed ones, when asked. */
export function listPositions(
  prisma: PrismaClient,
  query: { sessionId?: string; status?: 'open' | 'closed'; limit: number },
): Promise<Position[]> {
  return prisma.position.findMany({
    where: {
      ...(query.sessionId && { sessionId: query.sessionId }),
      ...(query.status === 'closed' && { status: 'closed' }),
      ...(query.status === 'open' && { status: { not: 'closed' } }),
    },
    orderBy: { openedAt: 'desc' },
    take: query.limit,
  });
}
