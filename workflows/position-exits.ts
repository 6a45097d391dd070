// The Position workflow after its entry: the books (bought, sold, fees, dust), the exit plan opened on the entry,
// the exit loop (a guard activity on the price stream races the time-exit timer and the exit signal; every exit
// sells through an Order child, and an exit that sold nothing is tried again), and the close reported to the session.
import {
  CancellationScope,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  sleep,
} from '@temporalio/workflow';
import Decimal from 'decimal.js';
import { floorVolume } from '../core/market/ticks';
import { createExitPlan, updateExitPlan, withRemainingVolume } from '../core/risk';
import type { ExitConfig, ExitPlan, ExitTrigger } from '../core/risk/types';
import { type OrderResult, type PositionStatus, positionClosedSignal } from './definitions';
import { orderWorkflowId } from './ids';
import { orderWorkflow } from './order';
import { childResult, exchangeReads, guard, market, type PositionContext, records } from './position-context';

/** After an exit that sold nothing: the pause before the next try doubles from this, up to a minute. */
const EXIT_RETRY_BASE_MS = 5_000;
const EXIT_RETRY_MAX_MS = 60_000;
/** A slice sells at most this share of the volume the visible bids hold. */
const BOOK_SHARE = new Decimal('0.8');

/** Exit orders that sold nothing are retried this many times, this far apart. */
const MAX_UNSOLD_EXITS = 5;
const UNSOLD_EXIT_PAUSE_MS = 5_000;

/** The position's books, from its entry on. */
export interface PositionLedger {
  bought: Decimal;
  /** What the entry cost, its fee included. */
  entryCost: Decimal;
  fees: Decimal;
  /** KRW the exits brought in after fees. */
  proceeds: Decimal;
  /** KRW the exits sold for before fees, for their average price. */
  exitFunds: Decimal;
  remaining: Decimal;
  /** Coins left that cannot be sold (below the minimum total, or gone from the account), and their value. */
  dust: { volume: Decimal; valueKrw: Decimal } | null;
}

/** Opens the books on the entry's result and shows them in the status. */
export function openLedger(status: PositionStatus, entry: OrderResult): PositionLedger {
  const bought = new Decimal(entry.executedVolume);
  const ledger: PositionLedger = {
    bought,
    entryCost: new Decimal(entry.funds).plus(entry.paidFee),
    fees: new Decimal(entry.paidFee),
    proceeds: new Decimal(0),
    exitFunds: new Decimal(0),
    remaining: bought,
    dust: null,
  };
  status.volume = ledger.bought.toString();
  status.remainingVolume = ledger.remaining.toString();
  status.fees = ledger.fees.toString();
  return ledger;
}

function realized(ledger: PositionLedger): Decimal {
  // Cost of what was sold (entry fee included) against what the sales brought in after fees. Dust
  // left at the close counts at its value now (coins gone from the account at zero), so a loss
  // the exchange would not let us sell still reaches the daily PnL.
  const { bought, remaining, dust } = ledger;
  const settled = dust ? bought.minus(remaining).plus(dust.volume) : bought.minus(remaining);
  const soldShare = bought.isZero() ? new Decimal(0) : settled.div(bought);
  return ledger.proceeds.plus(dust?.valueKrw ?? 0).minus(ledger.entryCost.mul(soldShare));
}

function exitConfigFor(config: ExitConfig, atr: number | null): ExitConfig {
  return config.stopMode === 'atr' && !(atr && atr > 0) ? { ...config, stopMode: 'pct' } : config;
}

/** The position is open: its exit plan starts from the entry's average price, and the open row is written. */
export async function openPosition(
  ctx: PositionContext,
  ledger: PositionLedger,
  entry: OrderResult,
): Promise<ExitPlan> {
  const { req, status } = ctx;
  const avgEntry = new Decimal(entry.avgPrice ?? req.entryPrice);
  status.entryPrice = avgEntry.toString();
  const plan: ExitPlan = createExitPlan({
    market: req.market,
    entryPrice: avgEntry.toString(),
    volume: ledger.bought.toString(),
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
    volume: ledger.bought.toString(),
    remainingVolume: ledger.remaining.toString(),
    fees: ledger.fees.toString(),
    exitPlan: plan,
  });
  return plan;
}

/**
 * Sells until nothing is left (or only dust): each trigger (the guard's, the time exit's, an exit signal's) sells
 * through an Order child. Returns the reason the position closes with.
 */
export async function sellUntilFlat(ctx: PositionContext, ledger: PositionLedger, opened: ExitPlan): Promise<string> {
  const { req, status, durable } = ctx;
  let plan = opened;
  let lastReason = '';
  let unsoldExits = 0;
  let retry: ExitTrigger | undefined;
  /** After a rejection: the most one exit order may sell (what the account holds and the bids take). */
  let sliceCap: Decimal | null = null;
  while (ledger.remaining.gt(0)) {
    let trigger: ExitTrigger | undefined = retry;
    retry = undefined;
    if (!trigger && ctx.exitRequested) {
      trigger = {
        kind: 'stop',
        fraction: 1,
        volume: ledger.remaining.toString(),
        reason: `exit requested: ${ctx.exitRequested}`,
      };
    } else if (!trigger) {
      const outcome = await raceGuard(ctx, plan);
      plan = outcome.plan;
      trigger = outcome.trigger;
      status.exitPlan = plan;
      if (!trigger) continue;
    }
    lastReason = trigger.reason;
    status.phase = 'exiting';
    ctx.orderSeq += 1;
    const volume = Decimal.min(ledger.remaining, trigger.volume, sliceCap ?? ledger.remaining);
    const sellId = orderWorkflowId(req.positionId, ctx.orderSeq);
    const sell: OrderResult = await childResult(ctx, sellId, () =>
      executeChild(orderWorkflow, {
        workflowId: sellId,
        args: [
          {
            ...ctx.orderBase,
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
      const next = await afterUnsoldExit(ctx, ledger, plan, unsoldExits, trigger, sell);
      if ('dust' in next) {
        ledger.dust = next.dust;
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
    if (durable && unsold.gt(0) && ledger.remaining.minus(sold).gt(0))
      retry = { ...trigger, volume: Decimal.min(unsold, ledger.remaining.minus(sold)).toFixed() };
    unsoldExits = 0;
    ledger.remaining = ledger.remaining.minus(sold);
    ledger.fees = ledger.fees.plus(sell.paidFee);
    ledger.proceeds = ledger.proceeds.plus(sell.funds).minus(sell.paidFee);
    ledger.exitFunds = ledger.exitFunds.plus(sell.funds);
    plan = withRemainingVolume(plan, ledger.remaining.toString());
    status.remainingVolume = ledger.remaining.toString();
    status.fees = ledger.fees.toString();
    status.realizedPnl = realized(ledger).toString();
    status.exitPlan = plan;
    status.phase = ledger.remaining.gt(0) ? 'open' : 'exiting';
    await records.recordPosition({
      positionId: req.positionId,
      sessionId: req.sessionId,
      market: req.market,
      status: ledger.remaining.gt(0) ? 'open' : 'closing',
      remainingVolume: ledger.remaining.toString(),
      realizedPnl: status.realizedPnl,
      fees: ledger.fees.toString(),
      avgExitPrice: ledger.exitFunds.div(ledger.bought.minus(ledger.remaining)).toDecimalPlaces(18).toString(),
      exitPlan: plan,
    });
  }
  return lastReason;
}

/**
 * An exit sold nothing: what the account holds decides. Less than the minimum total left (or the
 * coins are gone) ends the position with that dust; otherwise the next try sells what the account
 * holds, in a slice the bids can take (halved after every further miss), and a critical event says so.
 */
async function afterUnsoldExit(
  ctx: PositionContext,
  ledger: PositionLedger,
  plan: ExitPlan,
  unsoldExits: number,
  trigger: ExitTrigger,
  sell: OrderResult,
): Promise<{ sliceCap: Decimal } | { dust: { volume: Decimal; valueKrw: Decimal }; reason: string }> {
  const { req } = ctx;
  const { remaining } = ledger;
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
async function raceGuard(ctx: PositionContext, current: ExitPlan): Promise<{ plan: ExitPlan; trigger?: ExitTrigger }> {
  const { req, durable } = ctx;
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
  await Promise.race([guardRun, condition(() => ctx.exitRequested !== null || timerFired), ...(timer ? [timer] : [])]);
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

/** Writes the closed row and reports the close (its PnL) to the session. */
export async function closePosition(
  ctx: PositionContext,
  ledger: PositionLedger,
  reason: string,
): Promise<PositionStatus> {
  const { req, status } = ctx;
  status.phase = 'closed';
  status.exitReason = reason;
  status.realizedPnl = realized(ledger).toString();
  await records.recordPosition({
    positionId: req.positionId,
    sessionId: req.sessionId,
    market: req.market,
    status: 'closed',
    remainingVolume: ledger.remaining.toString(),
    realizedPnl: status.realizedPnl,
    fees: ledger.fees.toString(),
    exitReason: reason,
    closed: true,
  });
  try {
    await getExternalWorkflowHandle(req.sessionWorkflowId).signal(positionClosedSignal, {
      positionId: req.positionId,
      market: req.market,
      realizedPnl: status.realizedPnl,
      fees: status.fees,
      entryFunds: ledger.entryCost.toString(),
      exitReason: reason,
      closedTs: Date.now(),
    });
  } catch (err) {
    // The session may have ended (stopped by hand); the position's own record is what counts.
    log.warn('could not report the close to the session', { error: String(err) });
  }
  return status;
}
