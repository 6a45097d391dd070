// One intended order through submit, fills, timeout, cancel and market fallback. The Order workflow
// runs it (`ord-<position>-<n>`), and a Position runs it inline for its entry, under the same order
// id, so there is no child workflow between the decision and the order. Exactly-once comes from
// exchange identifiers minted here from the order id (see ids.ts) and adopted on retry by the submit
// activity: a submit retried after a lost reply finds its order, it never places a second one.
import { ActivityFailure, ApplicationFailure, condition, log, proxyActivities } from '@temporalio/workflow';
import Decimal from 'decimal.js';
import type { Activities } from '../activities';
import type { SubmitOrderInput } from '../activities/orders';
import { floorVolume, quoteOf, roundToTick } from '../core/market/ticks';
import {
  type ExchangeOrderView,
  ORDER_FAILURE,
  type OrderRequest,
  type OrderResult,
  type OrderStatus,
} from './definitions';
import { fallbackIdentifier, submitIdentifier } from './ids';

/** The submit's business failures: the order ends (or takes a new identifier), no retry. */
export const NON_RETRYABLE = Object.values(ORDER_FAILURE);

/** The exchange calls an order makes. */
export type OrderExchange = Pick<Activities, 'submitOrder' | 'syncOrder' | 'cancelExchangeOrder' | 'quote'>;

/** Before ORDERS_OUTLIVE_OUTAGES: exchange calls gave up after 12 attempts or 5 minutes. */
export const exchangeBounded: OrderExchange = proxyActivities<Activities>({
  startToCloseTimeout: '20s',
  scheduleToCloseTimeout: '5m',
  retry: {
    initialInterval: '500ms',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    maximumAttempts: 12,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/** Every exchange call retries until it gets an answer (capped backoff, no attempt limit). */
export const exchangeDurable: OrderExchange = proxyActivities<Activities>({
  // A submit may wait out an identifier's lookups (IDENTIFIER_SETTLE_MS); it heartbeats meanwhile.
  startToCloseTimeout: '3m',
  heartbeatTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/** A fallback not placed this long after it was decided (on a fresh quote) is not placed. */
const FALLBACK_DEADLINE_MS = 30_000;

/** Between private-stream hints the order re-reads the exchange this often (backstop). */
const POLL_MS = 2_000;

/** How long a market order may stay unfinished before its rest is cancelled. */
const MARKET_ORDER_WAIT_MS = 60_000;

const isFinal = (o: ExchangeOrderView) => o.state === 'done' || o.state === 'cancel';

/** What the workflow running the order tells it while it runs (from its signal handlers). */
export interface OrderControl {
  /** A private-stream hint arrived: re-read the exchange now. The order clears it when it re-reads. */
  changed: boolean;
  /** Cancel the rest now (and place no fallback); the reason ends up in the result. */
  cancelRequested: string | null;
}

export interface OrderRun {
  /** The order's id: the Order workflow's id, or the one an inline entry would have had. Identifiers derive from it. */
  orderId: string;
  req: OrderRequest;
  /** Kept up to date for the status query. */
  status: OrderStatus;
  control: OrderControl;
  exchange: OrderExchange;
  /** ORDERS_OUTLIVE_OUTAGES: no deadline on a fallback but its own, and a price-capped IOC fallback. */
  durable: boolean;
  /** Asked (once, after the submit) for a market order: it waits MARKET_ORDER_WAIT_MS instead of `timeoutSec`. */
  marketOrdersWait: () => boolean;
  /**
   * The first submit (firstSubmitInput) already placed by the caller, as the exchange took it: the order follows it
   * from there instead of submitting. Its fills may have come before anyone listened for hints, so it is re-read at
   * once.
   */
  firstPlaced?: ExchangeOrderView;
}

/** What one submit of an order sends to the submit activity: the request's fields, this attempt's identifier and order. */
export function submitOrderInput(
  orderId: string,
  req: OrderRequest,
  identifier: string,
  order: { ordType: OrderRequest['ordType']; price?: string; volume?: string; timeInForce?: 'ioc' },
  notAfterTs: number | undefined,
): SubmitOrderInput {
  return {
    orderId,
    identifier,
    sessionId: req.sessionId,
    positionId: req.positionId,
    mode: req.mode,
    market: req.market,
    side: req.side,
    ordType: order.ordType,
    price: order.price,
    volume: order.volume,
    ...(order.timeInForce && { timeInForce: order.timeInForce }),
    notAfterTs,
    purpose: req.purpose,
  };
}

/** The first submit of an order (`submitIdentifier(orderId, 1)`), as runOrder sends it. */
export function firstSubmitInput(orderId: string, req: OrderRequest): SubmitOrderInput {
  return submitOrderInput(
    orderId,
    req,
    submitIdentifier(orderId, 1),
    { ordType: req.ordType, price: req.price, volume: req.volume },
    req.notAfterTs,
  );
}

export function newOrderStatus(): OrderStatus {
  return { phase: 'submitting', submitSeq: 0, current: null, result: null };
}

export async function runOrder({
  orderId,
  req,
  status,
  control,
  exchange,
  durable,
  marketOrdersWait,
  firstPlaced,
}: OrderRun): Promise<OrderResult> {
  const placed: ExchangeOrderView[] = [];

  /** Submits with a fresh identifier per attempt; returns the reason when the exchange rejects the order. */
  async function submit(
    makeIdentifier: (seq: number) => string,
    order: { ordType: OrderRequest['ordType']; price?: string; volume?: string; timeInForce?: 'ioc' },
    notAfterTs: number | undefined,
  ): Promise<ExchangeOrderView | { rejected: string; upbitName?: string }> {
    for (;;) {
      status.submitSeq += 1;
      const identifier = makeIdentifier(status.submitSeq);
      try {
        return await exchange.submitOrder(submitOrderInput(orderId, req, identifier, order, notAfterTs));
      } catch (err) {
        // A regular activity's failure arrives wrapped in an ActivityFailure, a local activity's as it was thrown.
        const cause = err instanceof ActivityFailure ? err.cause : err instanceof ApplicationFailure ? err : undefined;
        if (cause instanceof ApplicationFailure && cause.type === ORDER_FAILURE.identifierBurned) {
          log.warn('identifier burned without an order; submitting with the next one', { identifier });
          continue;
        }
        if (
          cause instanceof ApplicationFailure &&
          (cause.type === ORDER_FAILURE.orderRejected || cause.type === ORDER_FAILURE.staleOrder)
        ) {
          const details = cause.details?.[0] as { upbitName?: string } | undefined;
          return { rejected: cause.message, upbitName: details?.upbitName };
        }
        throw err;
      }
    }
  }

  /** Follows one exchange order until it is final or the deadline passes. */
  async function follow(order: ExchangeOrderView, deadlineTs: number): Promise<ExchangeOrderView> {
    let current = order;
    while (!isFinal(current) && Date.now() < deadlineTs && control.cancelRequested === null) {
      const wait = Math.max(1, Math.min(POLL_MS, deadlineTs - Date.now()));
      await condition(() => control.changed || control.cancelRequested !== null, wait);
      control.changed = false;
      current = await exchange.syncOrder({ orderId, mode: req.mode, uuid: current.uuid });
      status.current = current;
    }
    return current;
  }

  /** Cancels the rest and re-reads until the exchange confirms a final state (fills may race the cancel). */
  async function cancelRest(order: ExchangeOrderView): Promise<ExchangeOrderView> {
    status.phase = 'cancelling';
    let current = await exchange.cancelExchangeOrder({ orderId, mode: req.mode, uuid: order.uuid });
    for (let i = 0; !isFinal(current); i++) {
      await condition(() => control.changed, Math.min(POLL_MS, 250 * 2 ** i));
      control.changed = false;
      current = await exchange.syncOrder({ orderId, mode: req.mode, uuid: order.uuid });
    }
    status.current = current;
    return current;
  }

  /**
   * Places the fallback for the rest and follows it to its end: an IOC order ends at once; the cancel
   * is only for an exchange that holds it. A rejected fallback leaves the order as it stands.
   */
  async function placeFallback(order: Parameters<typeof submit>[1], notAfterTs: number | undefined) {
    const fb = await submit((seq) => fallbackIdentifier(orderId, seq), order, notAfterTs);
    if ('rejected' in fb) {
      log.warn('market fallback rejected', { reason: fb.rejected });
      return;
    }
    placed.push(fb);
    let final = await follow(fb, Date.now() + MARKET_ORDER_WAIT_MS);
    if (!isFinal(final)) final = await cancelRest(final);
    placed[placed.length - 1] = final;
  }

  let first: Awaited<ReturnType<typeof submit>>;
  if (firstPlaced) {
    status.submitSeq = 1;
    control.changed = true;
    first = firstPlaced;
  } else
    first = await submit(
      (seq) => submitIdentifier(orderId, seq),
      { ordType: req.ordType, price: req.price, volume: req.volume },
      req.notAfterTs,
    );
  if ('rejected' in first) return finish([], 'rejected', first.rejected, first.upbitName);
  placed.push(first);
  status.current = first;
  status.phase = 'waiting';

  // The timeout is for resting limit orders; a market order is left to complete (it normally does
  // at once) and only cancelled if the exchange holds it far longer than that.
  const marketWait = req.ordType !== 'limit' && marketOrdersWait();
  const deadline = Date.now() + (marketWait ? MARKET_ORDER_WAIT_MS : req.timeoutSec * 1000);
  let main = await follow(first, deadline);
  if (!isFinal(main)) main = await cancelRest(main);
  placed[0] = main;

  // Market fallback for a limit order's unfilled rest, only when worth it and the price hasn't run away.
  const rest = req.ordType === 'limit' ? new Decimal(req.volume ?? '0').minus(main.executedVolume) : new Decimal(0);
  if (req.ordType === 'limit' && req.fallbackToMarket && control.cancelRequested === null && rest.gt(0)) {
    status.phase = 'fallback';
    const quote = await exchange.quote({ mode: req.mode, market: req.market });
    const limit = new Decimal(req.price ?? '0');
    if (durable) {
      const fallback = cappedFallback(rest, limit, quote);
      if ('skip' in fallback) {
        log.info(`market fallback skipped: ${fallback.skip}`);
      } else {
        await placeFallback(fallback, Date.now() + FALLBACK_DEADLINE_MS);
      }
    } else {
      const reference = req.side === 'bid' ? new Decimal(quote.ask) : new Decimal(quote.bid);
      const slip = reference.minus(limit).abs().div(limit).mul(100);
      const restTotal = rest.mul(reference);
      if (slip.gt(req.maxSlippagePct)) {
        log.info('market fallback skipped: price moved beyond the slippage guard', { slip: slip.toString() });
      } else if (restTotal.lt(req.minTotalKrw)) {
        log.info('market fallback skipped: rest below the minimum total', { restTotal: restTotal.toString() });
      } else {
        const fallbackOrder =
          req.side === 'bid'
            ? { ordType: 'price' as const, price: rest.mul(limit).toDecimalPlaces(0, Decimal.ROUND_DOWN).toString() }
            : { ordType: 'market' as const, volume: rest.toString() };
        await placeFallback(fallbackOrder, req.notAfterTs);
      }
    }
  }

  const executed = placed.reduce((s, o) => s.plus(o.executedVolume), new Decimal(0));
  const outcome = executed.isZero()
    ? 'unfilled'
    : req.ordType === 'limit' && executed.lt(req.volume ?? '0')
      ? 'partially_filled'
      : 'filled';
  return finish(placed, outcome, control.cancelRequested ?? undefined);

  /**
   * The fallback for a limit order's rest: an IOC limit order at the slippage guard's price, so it
   * can never pay more (bid) or take less (ask) than the guard allows, spending no more KRW than the
   * rest was planned for. Only adverse moves count against the guard.
   */
  function cappedFallback(
    rest: Decimal,
    limit: Decimal,
    quote: { bid: string; ask: string },
  ): { ordType: 'limit'; price: string; volume: string; timeInForce: 'ioc' } | { skip: string } {
    const slipPct = new Decimal(req.maxSlippagePct);
    const adversePct =
      req.side === 'bid'
        ? new Decimal(quote.ask).minus(limit).div(limit).mul(100)
        : limit.minus(quote.bid).div(limit).mul(100);
    if (adversePct.gt(slipPct)) return { skip: `price moved ${adversePct.toFixed(3)} % against the order` };
    const quoteCcy = quoteOf(req.market);
    const cap =
      req.side === 'bid'
        ? roundToTick(quoteCcy, limit.mul(slipPct.div(100).plus(1)), 'bid')
        : roundToTick(quoteCcy, limit.mul(new Decimal(1).minus(slipPct.div(100))), 'ask');
    const volume = req.side === 'bid' ? floorVolume(rest.mul(limit).div(cap)) : floorVolume(rest);
    const total = volume.mul(cap);
    if (total.lt(req.minTotalKrw)) return { skip: `rest ${total.toFixed(0)} KRW is below the minimum total` };
    return { ordType: 'limit', price: cap.toFixed(), volume: volume.toFixed(), timeInForce: 'ioc' };
  }

  function finish(
    orders: ExchangeOrderView[],
    outcome: OrderResult['outcome'],
    reason?: string,
    rejectedName?: string,
  ): OrderResult {
    const executedVolume = orders.reduce((s, o) => s.plus(o.executedVolume), new Decimal(0));
    const funds = orders.reduce((s, o) => s.plus(o.executedFunds), new Decimal(0));
    const paidFee = orders.reduce((s, o) => s.plus(o.paidFee), new Decimal(0));
    const result: OrderResult = {
      orderId,
      outcome,
      executedVolume: executedVolume.toString(),
      funds: funds.toString(),
      avgPrice: executedVolume.isZero() ? null : funds.div(executedVolume).toString(),
      paidFee: paidFee.toString(),
      exchangeUuids: orders.map((o) => o.uuid),
      reason,
      ...(rejectedName && { rejectedName }),
    };
    status.phase = 'done';
    status.result = result;
    return result;
  }
}
