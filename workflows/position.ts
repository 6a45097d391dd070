// Position workflow (`pos-<session>-<market>-<n>`): places its entry itself (the order lifecycle of
// order-lifecycle.ts, run inline; before ENTRY_PLACED_INLINE through an Order child), then the exit plan:
// a heartbeating guard activity on the price stream races a durable timer (time exit) and an exit
// signal; every exit sells through another Order child; reports its close to the session.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
} from '@temporalio/workflow';
import Decimal from 'decimal.js';
import type { Activities } from '../activities';
import type { PositionRecord } from '../activities/records';
import { floorVolume } from '../core/market/ticks';
import { createExitPlan, updateExitPlan, withRemainingVolume } from '../core/risk';
import type { ExitConfig, ExitPlan, ExitTrigger } from '../core/risk/types';
import {
  cancelOrderSignal,
  exitPositionSignal,
  haltPositionSignal,
  type OrderRequest,
  type OrderResult,
  orderChangedSignal,
  type PositionRequest,
  type PositionStatus,
  positionClosedSignal,
  positionStatusQuery,
} from './definitions';
import { orderWorkflowId } from './ids';
import { orderWorkflow } from './order';
import {
  exchangeDurable,
  NON_RETRYABLE,
  newOrderStatus,
  type OrderControl,
  type OrderExchange,
  runOrder,
} from './order-lifecycle';

/**
 * Patch: an exit is never abandoned. No deadline on exit orders; an exit that sells nothing re-reads
 * the account and the book and tries again with a corrected order (what the account holds, in
 * slices the bids can take), raising a critical risk event each time; the position closes only when
 * it holds nothing or dust below the minimum total. An Order child that ends without a result is
 * read back from the exchange; quotes retry until the exchange answers. The time exit judges the
 * guard's own progress (highs, trailing stop), not the plan the guard was started with.
 */
export const EXITS_NEVER_ABANDONED = 'exits-never-abandoned';

const records = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * Patch: the "entering" record is written by a local activity in the position's first workflow task, which then
 * starts the entry Order child: no activity-task round trip between the Position's start and its order. The row
 * still exists before the order is placed (orders reference their position).
 */
export const RECORD_ENTERING_LOCALLY = 'record-entering-locally';

/** Short idempotent database writes run in the workflow worker itself (an upsert, so a rerun leaves the same row). */
const localRecords = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * Patch: the position places its entry itself, running the order lifecycle (order-lifecycle.ts) inline under the
 * id its Order child would have had (`ord-<position>-1`, so the same identifiers), instead of starting an Order
 * child; the entering row and the first submit are one local activity (placeEntry) in the position's first
 * workflow task, so the order leaves before that task even completes. Private-stream hints for the entry come to
 * the position (orderChanged); a halt cancels the entry's rest directly. Exits still sell through Order children.
 */
export const ENTRY_PLACED_INLINE = 'entry-placed-inline';

/**
 * The entry's submits. A local activity has no attempt count that survives a worker crash, so the submit activity
 * treats every local run as a retry and looks its identifier up first: a rerun adopts the order it placed.
 */
const entrySubmit = proxyLocalActivities<Activities>({
  // A submit may wait out an identifier's lookups (IDENTIFIER_SETTLE_MS).
  startToCloseTimeout: '3m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

const market = proxyActivities<Activities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 10 },
});

/** Exchange reads that retry until the exchange answers, however long it is away. */
const exchangeReads = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** After an exit that sold nothing: the pause before the next try doubles from this, up to a minute. */
const EXIT_RETRY_BASE_MS = 5_000;
const EXIT_RETRY_MAX_MS = 60_000;
/** A slice sells at most this share of the volume the visible bids hold. */
const BOOK_SHARE = new Decimal('0.8');

// The guard runs as long as the position is open; heartbeats carry the plan so a retry resumes it.
const guard = proxyActivities<Activities>({
  startToCloseTimeout: '30 days',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
});

/** Exit orders that sold nothing are retried this many times, this far apart. */
const MAX_UNSOLD_EXITS = 5;
const UNSOLD_EXIT_PAUSE_MS = 5_000;

function exitConfigFor(config: ExitConfig, atr: number | null): ExitConfig {
  return config.stopMode === 'atr' && !(atr && atr > 0) ? { ...config, stopMode: 'pct' } : config;
}

export async function positionWorkflow(req: PositionRequest): Promise<PositionStatus> {
  const durable = patched(EXITS_NEVER_ABANDONED);
  const status: PositionStatus = {
    positionId: req.positionId,
    market: req.market,
    phase: 'entering',
    volume: '0',
    remainingVolume: '0',
    entryPrice: null,
    realizedPnl: '0',
    fees: '0',
    exitPlan: null,
    exitReason: null,
  };
  let exitRequested: string | null = null;
  let halted: string | null = null;
  let orderSeq = 0;
  let entryOrderId: string | null = null;
  /** ENTRY_PLACED_INLINE: the entry runs in this workflow; hints and halts reach it through this. */
  let entryInline = false;
  const entryControl: OrderControl = { changed: false, cancelRequested: null };
  setHandler(positionStatusQuery, () => status);
  setHandler(orderChangedSignal, () => {
    entryControl.changed = true;
  });
  setHandler(exitPositionSignal, ({ reason }) => {
    exitRequested ??= reason;
    // An exit asked for while the entry still fills (an emergency flatten) stops the buying: the entry's rest is
    // cancelled, no fallback buys more, and what was bought is sold at once.
    if (status.phase === 'entering' && entryInline) entryControl.cancelRequested ??= `exit requested: ${reason}`;
  });
  setHandler(haltPositionSignal, async ({ reason }) => {
    halted ??= reason;
    // A halt cancels an entry still resting on the book; an open position keeps its exit plan.
    if (status.phase === 'entering' && entryInline) entryControl.cancelRequested = `halt: ${reason}`;
    else if (status.phase === 'entering' && entryOrderId) {
      await getExternalWorkflowHandle(entryOrderId).signal(cancelOrderSignal, { reason: `halt: ${reason}` });
    }
  });

  const orderBase = {
    sessionId: req.sessionId,
    positionId: req.positionId,
    mode: req.mode,
    market: req.market,
    timeoutSec: req.order.timeoutSec,
    maxSlippagePct: req.order.maxSlippagePct,
  };

  const entry: OrderResult = req.adopt ? await adoptHolding(req.adopt) : await enter();

  async function enter(): Promise<OrderResult> {
    const entering = {
      positionId: req.positionId,
      sessionId: req.sessionId,
      market: req.market,
      status: 'entering' as const,
    };
    const entryRequest = (): OrderRequest => ({
      ...orderBase,
      side: 'bid',
      ordType: 'limit',
      price: req.entryPrice,
      volume: req.entryVolume,
      fallbackToMarket: req.order.fallbackToMarket,
      minTotalKrw: new Decimal(req.marketMinTotal).toString(),
      notAfterTs: Date.now() + 60_000,
      purpose: 'entry',
      reason: req.entryReasons.join('; '),
    });
    if (patched(ENTRY_PLACED_INLINE)) {
      orderSeq += 1;
      entryOrderId = orderWorkflowId(req.positionId, orderSeq);
      return placeEntry(entryOrderId, entryRequest(), entering);
    }
    if (patched(RECORD_ENTERING_LOCALLY)) await localRecords.recordPosition(entering);
    else await records.recordPosition(entering);

    // ---- entry
    orderSeq += 1;
    entryOrderId = orderWorkflowId(req.positionId, orderSeq);
    const entryReq = entryRequest();
    const entryHandle = await startChild(orderWorkflow, {
      workflowId: entryOrderId,
      args: [entryReq],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    if (halted) await entryHandle.signal(cancelOrderSignal, { reason: `halt: ${halted}` });
    const entry = await childResult(entryOrderId, () => entryHandle.result());
    return entry;
  }

  /**
   * ENTRY_PLACED_INLINE: the entry's order lifecycle in this workflow. Its first submit writes the entering row
   * and places the order in one local activity, in this workflow's first task.
   */
  async function placeEntry(orderId: string, entryReq: OrderRequest, entering: PositionRecord): Promise<OrderResult> {
    entryInline = true;
    if (halted) entryControl.cancelRequested = `halt: ${halted}`;
    else if (exitRequested) entryControl.cancelRequested = `exit requested: ${exitRequested}`;
    const entryStatus = newOrderStatus();
    const exchange: OrderExchange = {
      submitOrder: (order) =>
        entrySubmit.placeEntry({ order, ...(entryStatus.submitSeq === 1 && { position: entering }) }),
      syncOrder: exchangeDurable.syncOrder,
      cancelExchangeOrder: exchangeDurable.cancelExchangeOrder,
      quote: exchangeDurable.quote,
    };
    return childResult(orderId, () =>
      runOrder({
        orderId,
        req: entryReq,
        status: entryStatus,
        control: entryControl,
        exchange,
        durable: true,
        marketOrdersWait: () => true,
      }),
    );
  }

  /** An orphan taken over: an entry "filled" at the account's average buy price (or the bid when it has none). */
  async function adoptHolding(adopt: { volume: string; avgBuyPrice: string }): Promise<OrderResult> {
    let price = new Decimal(adopt.avgBuyPrice || 0);
    if (price.lte(0)) price = new Decimal((await exchangeReads.quote({ mode: req.mode, market: req.market })).bid);
    return {
      orderId: `${req.positionId}-adopted`,
      outcome: 'filled',
      executedVolume: adopt.volume,
      funds: price.mul(adopt.volume).toFixed(),
      avgPrice: price.toFixed(),
      paidFee: '0',
      exchangeUuids: [],
      reason: 'adopted from the account',
    };
  }

  const bought = new Decimal(entry.executedVolume);
  const entryCost = new Decimal(entry.funds).plus(entry.paidFee);
  let fees = new Decimal(entry.paidFee);
  let proceeds = new Decimal(0);
  /** KRW the exits sold for before fees, for their average price. */
  let exitFunds = new Decimal(0);
  let remaining = bought;
  status.volume = bought.toString();
  status.remainingVolume = remaining.toString();
  status.fees = fees.toString();

  /** Coins left that cannot be sold (below the minimum total, or gone from the account), and their value. */
  let dust: { volume: Decimal; valueKrw: Decimal } | null = null;
  if (bought.isZero()) {
    return close(entry.outcome === 'rejected' ? `entry rejected: ${entry.reason ?? ''}` : 'entry not filled');
  }

  const avgEntry = new Decimal(entry.avgPrice ?? req.entryPrice);
  status.entryPrice = avgEntry.toString();
  let plan: ExitPlan = createExitPlan({
    market: req.market,
    entryPrice: avgEntry.toString(),
    volume: bought.toString(),
    atr: req.atr ?? 0,
    // Without an ATR an ATR stop cannot be placed: fall back to the percentage stop.
    config: exitConfigFor(req.exit, req.atr),
    openedTs: Date.now(),
    minTotal: req.marketMinTotal,
  });
  status.exitPlan = plan;
  status.phase = 'open';
  await records.recordPosition({
    positionId: req.positionId,
    sessionId: req.sessionId,
    market: req.market,
    status: 'open',
    entryPrice: avgEntry.toString(),
    volume: bought.toString(),
    remainingVolume: remaining.toString(),
    fees: fees.toString(),
    exitPlan: plan,
  });

  // ---- exits
  let lastReason = '';
  let unsoldExits = 0;
  let retry: ExitTrigger | undefined;
  /** After a rejection: the most one exit order may sell (what the account holds and the bids take). */
  let sliceCap: Decimal | null = null;
  while (remaining.gt(0)) {
    let trigger: ExitTrigger | undefined = retry;
    retry = undefined;
    if (!trigger && exitRequested) {
      trigger = { kind: 'stop', fraction: 1, volume: remaining.toString(), reason: `exit requested: ${exitRequested}` };
    } else if (!trigger) {
      const outcome = await raceGuard(plan);
      plan = outcome.plan;
      trigger = outcome.trigger;
      status.exitPlan = plan;
      if (!trigger) continue;
    }
    lastReason = trigger.reason;
    status.phase = 'exiting';
    orderSeq += 1;
    const volume = Decimal.min(remaining, trigger.volume, sliceCap ?? remaining);
    const sellId = orderWorkflowId(req.positionId, orderSeq);
    const sell: OrderResult = await childResult(sellId, () =>
      executeChild(orderWorkflow, {
        workflowId: sellId,
        args: [
          {
            ...orderBase,
            side: 'ask',
            ordType: 'market',
            volume: volume.toFixed(),
            fallbackToMarket: false,
            minTotalKrw: req.marketMinTotal,
            // An exit has no deadline: it is placed whenever the exchange takes it.
            ...(!durable && { notAfterTs: Date.now() + 60_000 }),
            purpose: 'exit',
            reason: trigger.reason,
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
    const sold = new Decimal(sell.executedVolume);
    if (sold.isZero() && durable) {
      unsoldExits += 1;
      const next = await afterUnsoldExit(trigger, sell);
      if ('dust' in next) {
        dust = next.dust;
        lastReason = `${trigger.reason}; ${next.reason}`;
        break;
      }
      sliceCap = next.sliceCap;
      await sleep(Math.min(EXIT_RETRY_MAX_MS, EXIT_RETRY_BASE_MS * 2 ** (unsoldExits - 1)));
      retry = { ...trigger, volume: Decimal.max(next.sliceCap, 0).toFixed() };
      continue;
    }
    if (sold.isZero()) {
      // A rejection (e.g. below the exchange minimum) means what is left is dust that cannot be
      // sold; anything else (the exchange held the order) is tried again after a pause.
      unsoldExits += 1;
      if (sell.outcome === 'rejected' || unsoldExits >= MAX_UNSOLD_EXITS || !patched('retry-unsold-exits')) {
        log.warn('exit order sold nothing; leaving the rest as dust', { reason: sell.reason });
        lastReason = `${trigger.reason}; rest not sellable (${sell.reason ?? sell.outcome})`;
        break;
      }
      await sleep(UNSOLD_EXIT_PAUSE_MS);
      retry = trigger;
      continue;
    }
    // The part of this trigger a slice (or a partial fill) left unsold is sold next, without waiting
    // for the guard to see the level again.
    const unsold = new Decimal(trigger.volume).minus(sold);
    if (durable && unsold.gt(0) && remaining.minus(sold).gt(0))
      retry = { ...trigger, volume: Decimal.min(unsold, remaining.minus(sold)).toFixed() };
    unsoldExits = 0;
    remaining = remaining.minus(sold);
    fees = fees.plus(sell.paidFee);
    proceeds = proceeds.plus(sell.funds).minus(sell.paidFee);
    exitFunds = exitFunds.plus(sell.funds);
    plan = withRemainingVolume(plan, remaining.toString());
    status.remainingVolume = remaining.toString();
    status.fees = fees.toString();
    status.realizedPnl = realized().toString();
    status.exitPlan = plan;
    status.phase = remaining.gt(0) ? 'open' : 'exiting';
    await records.recordPosition({
      positionId: req.positionId,
      sessionId: req.sessionId,
      market: req.market,
      status: remaining.gt(0) ? 'open' : 'closing',
      remainingVolume: remaining.toString(),
      realizedPnl: status.realizedPnl,
      fees: fees.toString(),
      avgExitPrice: exitFunds.div(bought.minus(remaining)).toDecimalPlaces(18).toString(),
      exitPlan: plan,
    });
  }
  return close(lastReason);

  function realized(): Decimal {
    // Cost of what was sold (entry fee included) against what the sales brought in after fees. Dust
    // left at the close counts at its value now (coins gone from the account at zero), so a loss
    // the exchange would not let us sell still reaches the daily PnL.
    const settled = dust ? bought.minus(remaining).plus(dust.volume) : bought.minus(remaining);
    const soldShare = bought.isZero() ? new Decimal(0) : settled.div(bought);
    return proceeds.plus(dust?.valueKrw ?? 0).minus(entryCost.mul(soldShare));
  }

  /**
   * Reads an order's result (an Order child's, or the inline entry's); one that ended without a result is read
   * back from the exchange.
   */
  async function childResult(orderId: string, result: () => Promise<OrderResult>): Promise<OrderResult> {
    try {
      return await result();
    } catch (err) {
      const orderFailed =
        err instanceof ChildWorkflowFailure || err instanceof ActivityFailure || err instanceof ApplicationFailure;
      if (!durable || !orderFailed) throw err;
      log.error('order ended without a result; reading it back from the exchange', { orderId, error: String(err) });
      await records.recordRiskEvent({
        sessionId: req.sessionId,
        kind: 'order_failed',
        severity: 'critical',
        message: `${req.market}: order ${orderId} ended without a result (${err.cause?.message ?? err.message}); read back from the exchange`,
      });
      return exchangeReads.summarizeOrderOnExchange({ orderId, mode: req.mode });
    }
  }

  /**
   * An exit sold nothing: what the account holds decides. Less than the minimum total left (or the
   * coins are gone) ends the position with that dust; otherwise the next try sells what the account
   * holds, in a slice the bids can take (halved after every further miss), and a critical event says so.
   */
  async function afterUnsoldExit(
    trigger: ExitTrigger,
    sell: OrderResult,
  ): Promise<{ sliceCap: Decimal } | { dust: { volume: Decimal; valueKrw: Decimal }; reason: string }> {
    const holding = await exchangeReads.readHolding({ mode: req.mode, market: req.market });
    const bid = new Decimal(holding.bid);
    const held = new Decimal(holding.free).plus(holding.locked);
    const sellable = Decimal.min(remaining, holding.free);
    const minTotal = new Decimal(plan.minTotalKrw);
    const why = sell.reason ?? sell.outcome;
    if (sellable.mul(bid).lt(minTotal) && held.mul(bid).lt(minTotal)) {
      const present = Decimal.min(remaining, held);
      const missing = remaining.minus(present);
      const valueKrw = present.mul(bid).toDecimalPlaces(0, Decimal.ROUND_DOWN);
      if (missing.gt(0))
        await records.recordRiskEvent({
          sessionId: req.sessionId,
          kind: 'position_mismatch',
          severity: 'critical',
          message: `${req.market}: the position holds ${remaining.toFixed()} but the account has ${held.toFixed()}; the missing coins are counted at 0`,
        });
      return {
        dust: { volume: remaining, valueKrw },
        reason: `dust left: ${present.toFixed()} (about ${valueKrw.toFixed()} KRW) below the minimum total`,
      };
    }
    const bookCap = floorVolume(new Decimal(holding.bidDepthVolume).mul(BOOK_SHARE));
    let cap = Decimal.min(sellable.gt(0) ? sellable : remaining, bookCap);
    // Misses after the first halve the slice, never below what clears the minimum total.
    cap = floorVolume(cap.div(2 ** Math.max(0, unsoldExits - 1)));
    const smallest = floorVolume(minTotal.mul('1.05').div(bid)).plus('0.00000001');
    cap = Decimal.min(Decimal.max(cap, smallest), sellable.gt(0) ? sellable : remaining);
    await records.recordRiskEvent({
      sessionId: req.sessionId,
      kind: 'exit_not_filled',
      severity: 'critical',
      message: `${req.market}: exit (${trigger.reason}) sold nothing (${why}); trying again with ${cap.toFixed()} of ${remaining.toFixed()}`,
      details: { attempt: unsoldExits, rejectedName: sell.rejectedName ?? null, free: holding.free, bid: holding.bid },
    });
    return { sliceCap: cap };
  }

  /** Guard activity vs time-exit timer vs exit signal; returns the plan as far as it got. */
  async function raceGuard(current: ExitPlan): Promise<{ plan: ExitPlan; trigger?: ExitTrigger }> {
    const untilTimeExit = current.timeExitTs > 0 ? current.timeExitTs - Date.now() : Number.POSITIVE_INFINITY;
    let result: { plan: ExitPlan; trigger?: ExitTrigger } | undefined;
    let timerFired = false;
    const scope = new CancellationScope();
    const guardRun = scope
      .run(() =>
        guard.guardPosition({
          positionId: req.positionId,
          mode: req.mode,
          plan: current,
          barTimeframe: req.entryTimeframe,
          ...(durable && { progressOnCancel: true }),
        }),
      )
      .then((r) => {
        result = r;
      })
      .catch((err) => {
        if (!isCancellation(err)) throw err;
      });
    const timer =
      Number.isFinite(untilTimeExit) && untilTimeExit > 0
        ? sleep(untilTimeExit).then(() => {
            timerFired = true;
          })
        : undefined;
    await Promise.race([guardRun, condition(() => exitRequested !== null || timerFired), ...(timer ? [timer] : [])]);
    if (result) return result;
    scope.cancel();
    await guardRun;
    // A guard told to report its progress answers a cancel with its plan (highs, trailing stop) and no trigger.
    // (`result` is set by the guard's callback; the type checker cannot see that.)
    const settled = result as { plan: ExitPlan; trigger?: ExitTrigger } | undefined;
    if (settled?.trigger || (settled && !durable)) return settled;
    const progressed = settled?.plan ?? current;
    if (timerFired) {
      // Time exit: judge progress at the current price with the same pure rule the guard uses.
      const q = await (durable ? exchangeReads : market).quote({ mode: req.mode, market: req.market });
      return updateExitPlan(progressed, { price: q.bid, high: q.bid, low: q.bid, ts: Date.now() });
    }
    return { plan: progressed };
  }

  async function close(reason: string): Promise<PositionStatus> {
    status.phase = 'closed';
    status.exitReason = reason;
    status.realizedPnl = realized().toString();
    await records.recordPosition({
      positionId: req.positionId,
      sessionId: req.sessionId,
      market: req.market,
      status: 'closed',
      remainingVolume: remaining.toString(),
      realizedPnl: status.realizedPnl,
      fees: fees.toString(),
      exitReason: reason,
      closed: true,
    });
    try {
      await getExternalWorkflowHandle(req.sessionWorkflowId).signal(positionClosedSignal, {
        positionId: req.positionId,
        market: req.market,
        realizedPnl: status.realizedPnl,
        fees: status.fees,
        entryFunds: entryCost.toString(),
        exitReason: reason,
        closedTs: Date.now(),
      });
    } catch (err) {
      // The session may have ended (stopped by hand); the position's own record is what counts.
      log.warn('could not report the close to the session', { error: String(err) });
    }
    return status;
  }
}
