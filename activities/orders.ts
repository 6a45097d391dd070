// Exchange-writing activities. Each is idempotent by construction: a submit looks its identifier up
// before acting on any retry, so the same intended order can never be placed twice.
import { ApplicationFailure, activityInfo, heartbeat, sleep } from '@temporalio/activity';
import Decimal from 'decimal.js';
import {
  type ExchangeOrderView,
  fallbackIdentifier,
  ORDER_FAILURE,
  type OrderRequest,
  type OrderResult,
  submitIdentifier,
} from '../core/contract';
import type { TradingMode } from '../core/session/config';
import type { UpbitClient } from '../exchange/upbit/client';
import { DuplicatedIdentifier, OrderNotFound, UpbitError } from '../exchange/upbit/errors';
import type { Order, OrderWithTrades } from '../exchange/upbit/types';
import { recordEvent } from '../prisma/repositories/events';
import { orderByExchangeUuid } from '../prisma/repositories/orders';
import { entryRefusal } from './account-limits';
import { crashPoint } from './crash-points';
import type { ActivityDeps } from './deps';
import { assertLiveOrderConfirmed } from './live-gate';
import { recordExchangeOrder as recordOrder, toOrderView } from './order-records';

/** One exchange order of an Order workflow: its request plus the identifier of this attempt. */
export type SubmitOrderInput = Pick<
  OrderRequest,
  'sessionId' | 'positionId' | 'mode' | 'market' | 'side' | 'ordType' | 'price' | 'volume' | 'notAfterTs' | 'purpose'
> & {
  orderId: string;
  identifier: string;
  /** `ioc` for the price-capped fallback: takes what the book offers up to its price, never rests. */
  timeInForce?: 'ioc';
};

/**
 * How long the exchange must keep answering "no such order" for an identifier before we believe no
 * order carries it. Lookups of a new order can lag its creation; moving to a new identifier (or
 * calling an order not placed) while the first one's fate is unknown could place a second order.
 */
export const IDENTIFIER_SETTLE_MS = 60_000;
const LOOKUP_PAUSE_MS = 2_000;

/** Business rejections end the Order workflow with a reason; everything else is retried by Temporal. */
function asActivityError(err: unknown): unknown {
  if (err instanceof UpbitError && !err.retryable) {
    return ApplicationFailure.nonRetryable(err.message, ORDER_FAILURE.orderRejected, { upbitName: err.upbitName });
  }
  return err;
}

/** Heartbeats are for regular activities; a local one (a position's entry submit) has no server-side timer to feed. */
function beat(details: unknown): void {
  if (!activityInfo().isLocal) heartbeat(details);
}

async function findByIdentifier(client: UpbitClient, identifier: string): Promise<OrderWithTrades | null> {
  try {
    return await client.getOrder({ identifier });
  } catch (err) {
    if (err instanceof OrderNotFound) return null;
    throw err;
  }
}

/**
 * The order an identifier names, or null once the exchange has said it knows none for
 * IDENTIFIER_SETTLE_MS: looked up directly and in the list by identifiers. A failed read says
 * nothing either way and is simply repeated; the activity heartbeats while it waits.
 */
async function settleIdentifier(client: UpbitClient, identifier: string): Promise<OrderWithTrades | null> {
  let absentSince: number | null = null;
  for (;;) {
    beat({ settling: identifier });
    try {
      const found = await findByIdentifier(client, identifier);
      if (found) return found;
      const [listed] = await client.ordersByIds({ identifiers: [identifier] });
      if (listed) return await client.getOrder({ uuid: listed.uuid });
      absentSince ??= Date.now();
      if (Date.now() - absentSince >= IDENTIFIER_SETTLE_MS) return null;
    } catch (err) {
      if (err instanceof UpbitError && !err.retryable && !(err instanceof OrderNotFound)) throw err;
    }
    await sleep(LOOKUP_PAUSE_MS);
  }
}

/** The try at which a still-failing exchange activity raises a critical alert (about half a minute in). */
const OUTAGE_ALERT_ATTEMPT = 6;

/** Wraps each activity so that a retryable failure at OUTAGE_ALERT_ATTEMPT raises `alert` before Temporal retries it. */
function withOutageAlerts<T extends Record<string, (input: never) => Promise<unknown>>>(
  alert: (name: string, input: Record<string, string | undefined>, err: unknown) => Promise<void>,
  activities: T,
): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (input: never) => {
      try {
        return await fn(input);
      } catch (err) {
        const final = err instanceof ApplicationFailure && err.nonRetryable;
        if (!final && activityInfo().attempt === OUTAGE_ALERT_ATTEMPT) await alert(name, input, err);
        throw err;
      }
    };
  }
  return wrapped as T;
}

export function createOrderActivities({
  db,
  exchange,
  accountLimits,
}: Pick<ActivityDeps, 'db' | 'exchange' | 'accountLimits'>) {
  const recordExchangeOrder = (
    input: { orderId: string; sessionId: string; positionId: string | null },
    order: OrderWithTrades | Order,
  ) => recordOrder({ db }, input, order);

  /** A retried submit found its order already placed: take it over, and leave a trace of it. */
  async function adopt(input: SubmitOrderInput, order: OrderWithTrades): Promise<ExchangeOrderView> {
    const view = await recordExchangeOrder(input, order);
    const message = `order ${input.identifier} was already on the exchange (${order.state}); adopted, not placed again`;
    await recordEvent(db.prisma, { sessionId: input.sessionId, kind: 'order_adopted', severity: 'info', message });
    return view;
  }

  /** Once per activity, after OUTAGE_ALERT_ATTEMPT failed tries: an order is in flight and the exchange is away. */
  async function alertOutage(
    name: string,
    input: { sessionId?: string; market?: string; orderId?: string },
    err: unknown,
  ) {
    const message = `exchange unreachable for ${name} of ${input.orderId ?? input.market ?? 'an order'} after ${OUTAGE_ALERT_ATTEMPT - 1} tries (${(err as Error).message}); still trying`;
    await recordEvent(db.prisma, {
      sessionId: input.sessionId ?? null,
      kind: 'exchange_unreachable',
      severity: 'critical',
      message,
    }).catch(() => undefined);
  }

  return withOutageAlerts(alertOutage, {
    async submitOrder(input: SubmitOrderInput): Promise<ExchangeOrderView> {
      await assertLiveOrderConfirmed(db, input);
      const client = exchange(input.mode);
      // A local activity's tries are not in the history: after a worker crash it starts again at
      // attempt 1 although an earlier run may have placed the order, so it always counts as a retry.
      const retried = activityInfo().attempt > 1 || activityInfo().isLocal;
      // A retry after a lost reply may already have placed this identifier: adopt it. A local first
      // try (the entry, on the signal's hot path) does not look before posting: it may be a crashed
      // run's rerun, but the exchange takes an identifier once forever, so its POST cannot place a
      // second order (it gets duplicated_identifier and adopts below), and every path that would say
      // "not placed" (stale, refused, rejected) looks the identifier up first when `retried`.
      if (activityInfo().attempt > 1) {
        const existing = await findByIdentifier(client, input.identifier);
        if (existing) return adopt(input, existing);
      }
      if (input.notAfterTs !== undefined && Date.now() > input.notAfterTs) {
        // Before saying "not placed": an earlier attempt whose reply was lost may have placed it, and
        // a lookup right after can miss it.
        const placed = retried ? await settleIdentifier(client, input.identifier) : null;
        if (placed) return adopt(input, placed);
        throw ApplicationFailure.nonRetryable(
          `order ${input.identifier} not placed: its time passed (${new Date(input.notAfterTs).toISOString()})`,
          ORDER_FAILURE.staleOrder,
        );
      }
      if (input.purpose === 'entry') {
        const total =
          input.ordType === 'price'
            ? new Decimal(input.price ?? 0)
            : new Decimal(input.price ?? 0).mul(input.volume ?? 0);
        const refusal = await entryRefusal(db, accountLimits ?? {}, {
          sessionId: input.sessionId,
          mode: input.mode,
          totalKrw: total,
          now: Date.now(),
        });
        if (refusal) {
          // A rerun's own order, placed before the crash, counts in the exposure it is refused for.
          const placed = retried ? await findByIdentifier(client, input.identifier) : null;
          if (placed) return adopt(input, placed);
          await recordEvent(db.prisma, {
            sessionId: input.sessionId,
            kind: 'entry_refused',
            severity: 'warn',
            message: refusal,
          });
          throw ApplicationFailure.nonRetryable(
            `order ${input.identifier} not placed: ${refusal}`,
            ORDER_FAILURE.orderRejected,
            {
              upbitName: 'account_limit',
            },
          );
        }
      }
      // The submit's heartbeat timeout catches a lost worker; each step below reports it is alive.
      beat({ step: 'placing', identifier: input.identifier });
      crashPoint('before-submit');
      try {
        const placed = await client.createOrder({
          market: input.market,
          side: input.side,
          ord_type: input.ordType,
          price: input.price,
          volume: input.volume,
          identifier: input.identifier,
          ...(input.timeInForce && { time_in_force: input.timeInForce }),
        });
        // Placed, not yet recorded: the window a retry must survive by adopting the identifier.
        crashPoint(/-m\d+$/.test(input.identifier) ? 'during-fallback' : 'after-submit');
        beat({ step: 'placed', identifier: input.identifier });
        const full = await client.getOrder({ uuid: placed.uuid }).catch(() => placed);
        return await recordExchangeOrder(input, full);
      } catch (err) {
        if (err instanceof DuplicatedIdentifier) {
          // Used by an earlier attempt: adopt its order, or make sure none exists (lookups can lag,
          // a slow first POST can still land) before the workflow may take a new identifier.
          const existing = await settleIdentifier(client, input.identifier);
          if (existing) return adopt(input, existing);
          throw ApplicationFailure.nonRetryable(
            `identifier ${input.identifier} burned without an order`,
            ORDER_FAILURE.identifierBurned,
          );
        }
        if (retried && err instanceof UpbitError && !err.retryable) {
          // An exchange may check funds before identifiers: a rerun's order placed before the crash
          // holds the KRW this POST is refused for.
          // A lookup that fails says nothing either way: its (retryable) error, never "rejected" on a guess.
          const placed = await findByIdentifier(client, input.identifier).catch((lookupErr) => {
            throw asActivityError(lookupErr);
          });
          if (placed) return adopt(input, placed);
        }
        throw asActivityError(err);
      }
    },

    /**
     * What an Order workflow placed, read from the exchange by its identifiers: for a parent whose
     * Order child ended without a result (it failed or was terminated), so no fill is forgotten.
     */
    async summarizeOrderOnExchange(input: { orderId: string; mode: TradingMode }): Promise<OrderResult> {
      const client = exchange(input.mode);
      const identifiers: string[] = [];
      for (let seq = 1; seq <= 50; seq++)
        identifiers.push(submitIdentifier(input.orderId, seq), fallbackIdentifier(input.orderId, seq));
      const listed = await client.ordersByIds({ identifiers });
      const orders = await Promise.all(listed.map((o) => client.getOrder({ uuid: o.uuid })));
      const views = orders.map(toOrderView);
      const executed = views.reduce((s, o) => s.plus(o.executedVolume), new Decimal(0));
      const funds = views.reduce((s, o) => s.plus(o.executedFunds), new Decimal(0));
      const paidFee = views.reduce((s, o) => s.plus(o.paidFee), new Decimal(0));
      const working = views.filter((o) => o.state === 'wait' || o.state === 'watch');
      // A resting remainder nobody follows any more is cancelled; its fills so far count.
      for (const o of working) await client.cancelOrder({ uuid: o.uuid }).catch(() => undefined);
      return {
        orderId: input.orderId,
        outcome: executed.isZero() ? 'unfilled' : 'partially_filled',
        executedVolume: executed.toString(),
        funds: funds.toString(),
        avgPrice: executed.isZero() ? null : funds.div(executed).toString(),
        paidFee: paidFee.toString(),
        exchangeUuids: views.map((o) => o.uuid),
        reason: working.length
          ? `order ended without a result; ${working.length} resting order(s) cancelled`
          : undefined,
      };
    },

    /** What the account holds of a market's coin, and what the book's bids can take of it now. */
    async readHolding(input: { mode: TradingMode; market: string }): Promise<{
      free: string;
      locked: string;
      bid: string;
      bidDepthVolume: string;
    }> {
      const client = exchange(input.mode);
      const currency = input.market.split('-')[1];
      const account = (await client.accounts()).find((a) => a.currency === currency);
      const [book] = await client.orderbook([input.market]);
      const units = book?.orderbook_units ?? [];
      if (!units.length) throw new Error(`no order book for ${input.market}`);
      const depth = units.reduce((s, u) => s.plus(u.bid_size), new Decimal(0));
      return {
        free: account?.balance ?? '0',
        locked: account?.locked ?? '0',
        bid: String(units[0].bid_price),
        bidDepthVolume: depth.toString(),
      };
    },

    async syncOrder(input: { orderId: string; mode: TradingMode; uuid: string }): Promise<ExchangeOrderView> {
      crashPoint('waiting-fills');
      const order = await exchange(input.mode).getOrder({ uuid: input.uuid });
      const row = await orderByExchangeUuid(db.prisma, input.uuid);
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
      const row = await orderByExchangeUuid(db.prisma, input.uuid);
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
  });
}
