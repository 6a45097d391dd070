// Account value snapshots (`account_value_snapshots`): the whole account of a mode valued every minute, for the
// overview's figures and equity curve; and the day's realised PnL they record.
import Decimal from 'decimal.js';
import type { TradingMode } from '../../core/session/config';
import type { Database } from '../db';

export interface AccountValueSnapshotInput {
  mode: TradingMode;
  equityKrw: string;
  freeKrw: string;
  unrealizedPnlKrw: string;
  todayRealizedPnlKrw: string;
  unpriced: Array<{ currency: string; volume: string }>;
  takenAt: Date;
}

export async function recordAccountValueSnapshot(db: Database, snapshot: AccountValueSnapshotInput) {
  return db.prisma.accountValueSnapshot.create({ data: snapshot });
}

/** The newest snapshot of a mode, or null. */
export async function latestAccountValueSnapshot(db: Database, mode: TradingMode) {
  return db.prisma.accountValueSnapshot.findFirst({ where: { mode }, orderBy: [{ takenAt: 'desc' }, { id: 'desc' }] });
}

/**
 * Equity of a mode since `since`, oldest first, thinned to at most `maxPoints` evenly spaced snapshots (the newest
 * always kept) so a month of minutes stays a chart, not a download.
 */
export async function equityCurve(db: Database, mode: TradingMode, since: Date, maxPoints: number) {
  const rows = await db.prisma.accountValueSnapshot.findMany({
    where: { mode, takenAt: { gte: since } },
    orderBy: [{ takenAt: 'asc' }, { id: 'asc' }],
    select: { takenAt: true, equityKrw: true },
  });
  if (rows.length <= maxPoints) return rows;
  const step = rows.length / maxPoints;
  const picked = Array.from({ length: maxPoints - 1 }, (_, i) => rows[Math.floor(i * step)]);
  picked.push(rows[rows.length - 1]);
  return picked;
}

/** Realised PnL (after fees) of the mode's positions closed at or after `since`, as a KRW decimal string. */
export async function realizedPnlSince(db: Database, mode: TradingMode, since: Date): Promise<string> {
  const closed = await db.prisma.position.findMany({
    where: { status: 'closed', session: { mode }, closedAt: { gte: since } },
    select: { realizedPnl: true },
  });
  return closed.reduce((sum, p) => sum.plus(p.realizedPnl.toString()), new Decimal(0)).toFixed();
}

/** The balances a reconcile saw on the exchange, one row per currency, all stamped `takenAt`. */
export async function recordBalances(
  db: Database,
  sessionId: string,
  balances: { currency: string; balance: string; locked: string; avgBuyPrice: string }[],
  takenAt: Date,
): Promise<void> {
  await db.prisma.accountSnapshot.createMany({ data: balances.map((b) => ({ sessionId, ...b, takenAt })) });
}
