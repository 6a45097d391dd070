// What the positions-and-orders page reads: open positions with their sessions' modes, and fills with the order
// they filled and the decision that made the order (the evaluation's factor scores and indicator values).
import type { Database } from '../db';

/** Positions not yet closed (entering, open, closing), newest first, with their session's name and mode. */
export async function openPositions(db: Database, sessionId?: string) {
  return db.prisma.position.findMany({
    where: { status: { not: 'closed' }, ...(sessionId && { sessionId }) },
    orderBy: { openedAt: 'desc' },
    take: 500,
    include: { session: { select: { name: true, mode: true } } },
  });
}

/** Fills newest first, each with its order. */
export async function recentFills(db: Database, opts: { sessionId?: string; limit: number }) {
  return db.prisma.fill.findMany({
    where: opts.sessionId ? { order: { sessionId: opts.sessionId } } : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit,
    include: {
      order: {
        select: {
          id: true,
          sessionId: true,
          positionId: true,
          market: true,
          side: true,
          ordType: true,
          createdAt: true,
        },
      },
    },
  });
}

/**
 * The decision behind an order: the session's newest decision of that action for that market made at or before
 * the order was created (the evaluation records its decisions before it starts the positions they open).
 */
export async function decisionBefore(
  db: Database,
  q: { sessionId: string; market: string; action: 'entry' | 'exit'; at: Date },
) {
  return db.prisma.decision.findFirst({
    where: { sessionId: q.sessionId, market: q.market, action: q.action, createdAt: { lte: q.at } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
}
