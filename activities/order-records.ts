// The exchange's view of an order, written into `orders` and `fills`: one recording for every path
// that learns of an order (submit, follow, cancel, reconcile), so each writes the same rows.
import Decimal from 'decimal.js';
import type { ExchangeOrderView } from '../core/contract';
import type { Order, OrderWithTrades } from '../exchange/upbit/types';
import { knownTradeUuids, saveOrderWithFills } from '../prisma/repositories/orders';
import type { ActivityDeps } from './deps';

export function toOrderView(o: Order): ExchangeOrderView {
  const executed = new Decimal(o.executed_volume ?? '0');
  return {
    uuid: o.uuid,
    identifier: o.identifier ?? null,
    market: o.market,
    side: o.side,
    ordType: o.ord_type,
    state: o.state as ExchangeOrderView['state'],
    price: o.price ?? null,
    volume: o.volume ?? null,
    remainingVolume: o.remaining_volume ?? '0',
    executedVolume: executed.toString(),
    executedFunds: o.executed_funds ?? '0',
    paidFee: o.paid_fee ?? '0',
    tradesCount: o.trades_count ?? 0,
  };
}

/** Writes the exchange's view of an order and its trades into `orders`/`fills` (the exchange wins). */
export async function recordExchangeOrder(
  { db }: Pick<ActivityDeps, 'db'>,
  input: { orderId: string; sessionId: string; positionId: string | null },
  order: OrderWithTrades | Order,
): Promise<ExchangeOrderView> {
  const view = toOrderView(order);
  const identifier = order.identifier ?? order.uuid;
  const executed = new Decimal(view.executedVolume);
  const trades = 'trades' in order ? order.trades : [];
  const funds = new Decimal(view.executedFunds);
  const known = await knownTradeUuids(
    db.prisma,
    trades.map((t) => t.uuid),
  );
  // The order, its trades and the alerts of new trades in one transaction: no reader sees an executed
  // volume without its fills, and no new fill goes without its alert (sent later, from the queue).
  await saveOrderWithFills(
    db.prisma,
    {
      identifier,
      sessionId: input.sessionId,
      positionId: input.positionId,
      market: order.market,
      side: order.side,
      ordType: order.ord_type,
      timeInForce: order.time_in_force ?? null,
      price: order.ord_type === 'price' ? null : (order.price ?? null),
      funds: order.ord_type === 'price' ? (order.price ?? null) : null,
      volume: order.volume ?? null,
      exchangeUuid: order.uuid,
      state: order.state,
      executedVolume: view.executedVolume,
      avgPrice: executed.isZero() ? null : new Decimal(view.executedFunds).div(executed).toString(),
      paidFee: view.paidFee,
    },
    trades.map((t) => {
      // Upbit reports the fee per order; each trade carries its share by traded funds.
      const fee = funds.isZero() ? new Decimal(0) : new Decimal(view.paidFee).mul(t.funds).div(funds);
      return {
        tradeUuid: t.uuid,
        price: t.price,
        volume: t.volume,
        funds: t.funds,
        fee: fee.toDecimalPlaces(8).toString(),
        createdAt: t.created_at ? new Date(t.created_at) : undefined,
      };
    }),
    trades
      .filter((t) => !known.has(t.uuid))
      .map((t) => ({
        sessionId: input.sessionId || null,
        kind: 'fill',
        severity: 'info' as const,
        message: `${order.side === 'bid' ? 'bought' : 'sold'} ${t.volume} ${order.market} at ${t.price} (${identifier})`,
        dedupeKey: `fill:${t.uuid}`,
      })),
  );
  return view;
}
