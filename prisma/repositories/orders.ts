// Orders (`orders`) and their trades (`fills`). The exchange's view of an order is written with its
// fills in one transaction, keyed by the order's identifier and each trade's uuid, so a retried or
// repeated recording leaves the same rows.
import type { TradingMode } from '../../core/session/config';
import type { Fill, Order, PrismaClient } from '../db';
import { type AlertMessage, queueAlert } from './events';

/** States in which an order may still trade (or, `submitting`, may have reached the exchange). */
const WORKING_STATES = ['wait', 'watch', 'submitting'];

/** Money fields are decimal strings, written exactly. */
export interface OrderRecord {
  identifier: string;
  sessionId: string;
  positionId: string | null;
  market: string;
  side: 'bid' | 'ask';
  ordType: string;
  timeInForce: string | null;
  price: string | null;
  funds: string | null;
  volume: string | null;
  exchangeUuid: string;
  state: string;
  executedVolume: string;
  avgPrice: string | null;
  paidFee: string;
}

export interface FillRecord {
  tradeUuid: string;
  price: string;
  volume: string;
  funds: string;
  fee: string;
  createdAt?: Date;
}

/** The exchange's fields of an order: what a later recording of the same order overwrites. */
const EXCHANGE_FIELDS = ['exchangeUuid', 'state', 'executedVolume', 'avgPrice', 'paidFee'] as const;

/** The trade uuids of these that are recorded already. */
export async function knownTradeUuids(prisma: PrismaClient, tradeUuids: string[]): Promise<Set<string>> {
  const rows = await prisma.fill.findMany({ where: { tradeUuid: { in: tradeUuids } }, select: { tradeUuid: true } });
  return new Set(rows.map((f) => f.tradeUuid));
}

/**
 * Writes an order (created, or its exchange fields updated), its fills (created, or their fee updated)
 * and the given alerts in one transaction: no reader sees an executed volume without its fills, and no
 * alert is queued for a write that did not happen. The order's id is its identifier.
 */
export async function saveOrderWithFills(
  prisma: PrismaClient,
  order: OrderRecord,
  fills: FillRecord[],
  alerts: (AlertMessage & { dedupeKey: string })[] = [],
): Promise<void> {
  const update = Object.fromEntries(EXCHANGE_FIELDS.map((k) => [k, order[k]]));
  await prisma.$transaction([
    prisma.order.upsert({
      where: { identifier: order.identifier },
      create: { id: order.identifier, ...order },
      update,
    }),
    ...fills.map((f) =>
      prisma.fill.upsert({
        where: { tradeUuid: f.tradeUuid },
        create: { orderId: order.identifier, ...f },
        update: { fee: f.fee },
      }),
    ),
    ...alerts.map((a) => queueAlert(prisma, a)),
  ]);
}

/** The order the exchange knows by this uuid, or null. */
export function orderByExchangeUuid(prisma: PrismaClient, uuid: string): Promise<Order | null> {
  return prisma.order.findFirst({ where: { exchangeUuid: uuid } });
}

/** Orders whose identifier starts with `prefix` (a position's or a session's orders). */
export function ordersByIdentifierPrefix(prisma: PrismaClient, prefix: string): Promise<Order[]> {
  return prisma.order.findMany({ where: { identifier: { startsWith: prefix } } });
}

/** A session's orders that may still trade. */
export function workingOrders(prisma: PrismaClient, sessionId: string): Promise<Order[]> {
  return prisma.order.findMany({ where: { sessionId, state: { in: WORKING_STATES } } });
}

/** Markets with an order of these modes' sessions still working or changed since `since`. */
export async function marketsWithRecentOrders(
  prisma: PrismaClient,
  modes: TradingMode[],
  since: Date,
): Promise<string[]> {
  const rows = await prisma.order.findMany({
    where: { session: { mode: { in: modes } }, OR: [{ state: { in: WORKING_STATES } }, { updatedAt: { gte: since } }] },
    select: { market: true },
  });
  return rows.map((o) => o.market);
}

/** The identifiers of these that are recorded orders. */
export async function knownIdentifiers(prisma: PrismaClient, identifiers: string[]): Promise<Set<string>> {
  const rows = await prisma.order.findMany({
    where: { identifier: { in: identifiers } },
    select: { identifier: true },
  });
  return new Set(rows.map((o) => o.identifier));
}

/** Records an order as cancelled, and why. */
export async function markOrderCancelled(prisma: PrismaClient, id: string, reason: string): Promise<void> {
  await prisma.order.update({ where: { id }, data: { state: 'cancel', reason } });
}

/** Bids still resting on the book, of one session or of every session of a mode. */
export function restingBids(
  prisma: PrismaClient,
  scope: { sessionId: string } | { mode: TradingMode },
): Promise<Pick<Order, 'price' | 'funds' | 'volume' | 'executedVolume'>[]> {
  const session = 'sessionId' in scope ? { id: scope.sessionId } : { mode: scope.mode };
  return prisma.order.findMany({
    where: { side: 'bid', state: { in: ['wait', 'watch'] }, session },
    select: { price: true, funds: true, volume: true, executedVolume: true },
  });
}

export type OrderWithFills = Order & { fills: Fill[] };

/** Orders with their fills (oldest fill first), newest order first; of one session when given. */
export function listOrders(
  prisma: PrismaClient,
  query: { sessionId?: string; limit: number },
): Promise<OrderWithFills[]> {
  return prisma.order.findMany({
    where: query.sessionId ? { sessionId: query.sessionId } : {},
    orderBy: { createdAt: 'desc' },
    take: query.limit,
    include: { fills: { orderBy: { createdAt: 'asc' } } },
  });
}
