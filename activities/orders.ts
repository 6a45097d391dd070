// Exchange-writing activities. Each is idempotent by construction: a submit looks its identifier up
// before acting on any retry, so the same intended order can never be placed twice.
import { ApplicationFailure, activityInfo, sleep } from '@temporalio/activity';
import Decimal from 'decimal.js';
import type { TradingMode } from '../core/session/config';
import type { UpbitClient } from '../exchange/upbit/client';
import { DuplicatedIdentifier, OrderNotFound, UpbitError } from '../exchange/upbit/errors';
import type { Order, OrderWithTrades } from '../exchange/upbit/types';
import type { ExchangeOrderView, OrderRequest } from '../workflows/definitions';
import { crashPoint } from './crash-points';
import type { ActivityDeps } from './deps';
import { assertLiveOrderConfirmed } from './live-gate';

/** One exchange order of an Order workflow: its request plus the identifier of this attempt. */
export type SubmitOrderInput = Pick<
  OrderRequest,
  'sessionId' | 'positionId' | 'mode' | 'market' | 'side' | 'ordType' | 'price' | 'volume' | 'notAfterTs' | 'purpose'
> & { orderId: string; identifier: string };

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

/** Business rejections end the Order workflow with a reason; everything else is retried by Temporal. */
function asActivityError(err: unknown): unknown {
  if (err instanceof UpbitError && !err.retryable) {
    return ApplicationFailure.nonRetryable(err.message, 'OrderRejected', { upbitName: err.upbitName });
  }
  return err;
}

async function findByIdentifier(client: UpbitClient, identifier: string): Promise<OrderWithTrades | null> {
  try {
    return await client.getOrder({ identifier });
  } catch (err) {
    if (err instanceof OrderNotFound) return null;
    throw err;
  }
}

export function createOrderActivities({ db, exchange, alerts }: ActivityDeps) {
  /** Writes the exchange's view of an order and its trades into `orders`/`fills` (the exchange wins). */
  async function recordExchangeOrder(
    input: { orderId: string; sessionId: string; positionId: string | null },
    order: OrderWithTrades | Order,
  ) {
    const view = toOrderView(order);
    const identifier = order.identifier ?? order.uuid;
    const executed = new Decimal(view.executedVolume);
    const common = {
      exchangeUuid: order.uuid,
      state: order.state,
      executedVolume: view.executedVolume,
      avgPrice: executed.isZero() ? null : new Decimal(view.executedFunds).div(executed).toString(),
      paidFee: view.paidFee,
    };
    const trades = 'trades' in order ? order.trades : [];
    const funds = new Decimal(view.executedFunds);
    const known = new Set(
      (
        await db.prisma.fill.findMany({
          where: { tradeUuid: { in: trades.map((t) => t.uuid) } },
          select: { tradeUuid: true },
        })
      ).map((f) => f.tradeUuid),
    );
    // The order and its trades in one transaction: no reader sees an executed volume without its fills.
    await db.prisma.$transaction([
      db.prisma.order.upsert({
        where: { identifier },
        create: {
          id: identifier,
          sessionId: input.sessionId,
          positionId: input.positionId,
          market: order.market,
          side: order.side,
          ordType: order.ord_type,
          timeInForce: order.time_in_force ?? null,
          price: order.ord_type === 'price' ? null : (order.price ?? null),
          funds: order.ord_type === 'price' ? (order.price ?? null) : null,
          volume: order.volume ?? null,
          identifier,
          ...common,
        },
        update: common,
      }),
      ...trades.map((t) => {
        // Upbit reports the fee per order; each trade carries its share by traded funds.
        const fee = funds.isZero() ? new Decimal(0) : new Decimal(view.paidFee).mul(t.funds).div(funds);
        return db.prisma.fill.upsert({
          where: { tradeUuid: t.uuid },
          create: {
            orderId: identifier,
            tradeUuid: t.uuid,
            price: t.price,
            volume: t.volume,
            funds: t.funds,
            fee: fee.toDecimalPlaces(8).toString(),
            createdAt: t.created_at ? new Date(t.created_at) : undefined,
          },
          update: { fee: fee.toDecimalPlaces(8).toString() },
        });
      }),
    ]);
    for (const t of trades.filter((x) => !known.has(x.uuid)))
      await alerts.send({
        sessionId: input.sessionId || null,
        kind: 'fill',
        severity: 'info',
        message: `${order.side === 'bid' ? 'bought' : 'sold'} ${t.volume} ${order.market} at ${t.price} (${identifier})`,
      });
    return view;
  }

  /** A retried submit found its order already placed: take it over, and leave a trace of it. */
  async function adopt(input: SubmitOrderInput, order: OrderWithTrades): Promise<ExchangeOrderView> {
    const view = await recordExchangeOrder(input, order);
    const message = `order ${input.identifier} was already on the exchange (${order.state}); adopted, not placed again`;
    await db.prisma.riskEvent.create({
      data: { sessionId: input.sessionId, kind: 'order_adopted', severity: 'info', message, details: {} },
    });
    await alerts.send({ sessionId: input.sessionId, kind: 'order_adopted', severity: 'info', message });
    return view;
  }

  return {
    async submitOrder(input: SubmitOrderInput): Promise<ExchangeOrderView> {
      await assertLiveOrderConfirmed(db, input);
      const client = exchange(input.mode);
      // A retry (or a crash after the POST) may already have placed this identifier: adopt it.
      if (activityInfo().attempt > 1) {
        const existing = await findByIdentifier(client, input.identifier);
        if (existing) return adopt(input, existing);
      }
      if (Date.now() > input.notAfterTs) {
        throw ApplicationFailure.nonRetryable(
          `order ${input.identifier} not placed: its time passed (${new Date(input.notAfterTs).toISOString()})`,
          'StaleOrder',
        );
      }
      crashPoint('before-submit');
      try {
        const placed = await client.createOrder({
          market: input.market,
          side: input.side,
          ord_type: input.ordType,
          price: input.price,
          volume: input.volume,
          identifier: input.identifier,
        });
        // Placed, not yet recorded: the window a retry must survive by adopting the identifier.
        crashPoint(/-m\d+$/.test(input.identifier) ? 'during-fallback' : 'after-submit');
        const full = await client.getOrder({ uuid: placed.uuid }).catch(() => placed);
        return await recordExchangeOrder(input, full);
      } catch (err) {
        if (err instanceof DuplicatedIdentifier) {
          // Burned by an earlier attempt: adopt its order, or confirm (after a pause, since a slow
          // first POST can still land) that none exists before asking for a new identifier.
          for (const pause of [0, 1000, 3000]) {
            if (pause) await sleep(pause);
            const existing = await findByIdentifier(client, input.identifier);
            if (existing) return adopt(input, existing);
          }
          throw ApplicationFailure.nonRetryable(
            `identifier ${input.identifier} burned without an order`,
            'IdentifierBurned',
          );
        }
        throw asActivityError(err);
      }
    },

    async syncOrder(input: { orderId: string; mode: TradingMode; uuid: string }): Promise<ExchangeOrderView> {
      crashPoint('waiting-fills');
      const order = await exchange(input.mode).getOrder({ uuid: input.uuid });
      const row = await db.prisma.order.findFirst({ where: { exchangeUuid: input.uuid } });
      return recordExchangeOrder(
        { orderId: input.orderId, sessionId: row?.sessionId ?? '', positionId: row?.positionId ?? null },
        order,
      );
    },

    /** Cancels by uuid; an order that already ended is simply read back. */
    async cancelExchangeOrder(input: { orderId: string; mode: TradingMode; uuid: string }): Promise<ExchangeOrderView> {
      const client = exchange(input.mode);
      try {
        await client.cancelOrder({ uuid: input.uuid });
      } catch (err) {
        if (!(err instanceof UpbitError) || err.retryable) throw err;
        // e.g. order_not_found / already done: the re-read below says what happened.
      }
      crashPoint('during-cancel');
      const order = await client.getOrder({ uuid: input.uuid });
      const row = await db.prisma.order.findFirst({ where: { exchangeUuid: input.uuid } });
      return recordExchangeOrder(
        { orderId: input.orderId, sessionId: row?.sessionId ?? '', positionId: row?.positionId ?? null },
        order,
      );
    },

    async quote(input: { mode: TradingMode; market: string }): Promise<{ bid: string; ask: string; last: string }> {
      const client = exchange(input.mode);
      const [book] = await client.orderbook([input.market], { count: 1 });
      const [ticker] = await client.ticker([input.market]);
      const unit = book?.orderbook_units[0];
      if (!unit || !ticker) throw new Error(`no quote for ${input.market}`);
      return { bid: String(unit.bid_price), ask: String(unit.ask_price), last: String(ticker.trade_price) };
    },
  };
}
