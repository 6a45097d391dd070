// What changed in the trading tables since given instants: the API's live feed (api/routes/live.ts) polls
// this and tells the dashboard which rows to refetch.
import type { PrismaClient } from '../db';

export interface ChangesSince {
  riskEvents: Date;
  orders: Date;
  fills: Date;
  sessions: Date;
}

/**
 * Risk events, orders, fills and sessions written after their instants (ids, sessions and stamps only),
 * and every position not closed (positions carry no update time: the caller compares them round by round).
 */
export function changesSince(prisma: PrismaClient, since: ChangesSince) {
  return Promise.all([
    prisma.riskEvent.findMany({
      where: { createdAt: { gt: since.riskEvents } },
      select: { id: true, sessionId: true, createdAt: true },
    }),
    prisma.order.findMany({
      where: { updatedAt: { gt: since.orders } },
      select: { id: true, sessionId: true, updatedAt: true },
    }),
    prisma.fill.findMany({
      where: { createdAt: { gt: since.fills } },
      select: { id: true, createdAt: true, order: { select: { id: true, sessionId: true } } },
    }),
    prisma.session.findMany({
      where: { updatedAt: { gt: since.sessions } },
      select: { id: true, updatedAt: true },
    }),
    prisma.position.findMany({
      where: { status: { not: 'closed' } },
      select: {
        id: true,
        sessionId: true,
        status: true,
        entryPrice: true,
        volume: true,
        remainingVolume: true,
        realizedPnl: true,
        exitPlan: true,
      },
    }),
  ]);
}
