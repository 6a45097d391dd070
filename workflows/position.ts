// Position workflow (`pos-<session>-<market>-<n>`): entry through an Order child, then the exit plan:
// a heartbeating guard activity on the price stream races a durable timer (time exit) and an exit
// signal; every exit sells through another Order child; reports its close to the session.
import {
  CancellationScope,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
} from '@temporalio/workflow';
import Decimal from 'decimal.js';
import type { Activities } from '../activities';
import { createExitPlan, updateExitPlan, withRemainingVolume } from '../core/risk';
import type { ExitConfig, ExitPlan, ExitTrigger } from '../core/risk/types';
import {
  cancelOrderSignal,
  exitPositionSignal,
  haltPositionSignal,
  type OrderRequest,
  type OrderResult,
  type PositionRequest,
  type PositionStatus,
  positionClosedSignal,
  positionStatusQuery,
} from './definitions';
import { orderWorkflowId } from './ids';
import { orderWorkflow } from './order';

const records = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

const market = proxyActivities<Activities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 10 },
});

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
  setHandler(positionStatusQuery, () => status);
  setHandler(exitPositionSignal, ({ reason }) => {
    exitRequested ??= reason;
  });
  setHandler(haltPositionSignal, async ({ reason }) => {
    halted ??= reason;
    // A halt cancels an entry still resting on the book; an open position keeps its exit plan.
    if (status.phase === 'entering' && entryOrderId) {
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

  await records.recordPosition({
    positionId: req.positionId,
    sessionId: req.sessionId,
    market: req.market,
    status: 'entering',
  });

  // ---- entry
  orderSeq += 1;
  entryOrderId = orderWorkflowId(req.positionId, orderSeq);
  const entryReq: OrderRequest = {
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
  };
  const entryHandle = await startChild(orderWorkflow, {
    workflowId: entryOrderId,
    args: [entryReq],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  if (halted) await entryHandle.signal(cancelOrderSignal, { reason: `halt: ${halted}` });
  const entry = await entryHandle.result();

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
    config: exitConfigFor(req.exit as unknown as ExitConfig, req.atr),
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
    const volume = Decimal.min(remaining, trigger.volume);
    const sell: OrderResult = await executeChild(orderWorkflow, {
      workflowId: orderWorkflowId(req.positionId, orderSeq),
      args: [
        {
          ...orderBase,
          side: 'ask',
          ordType: 'market',
          volume: volume.toString(),
          fallbackToMarket: false,
          minTotalKrw: req.marketMinTotal,
          notAfterTs: Date.now() + 60_000,
          purpose: 'exit',
          reason: trigger.reason,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    const sold = new Decimal(sell.executedVolume);
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
    // Cost of what was sold (entry fee included) against what the sales brought in after fees.
    const soldShare = bought.isZero() ? new Decimal(0) : bought.minus(remaining).div(bought);
    return proceeds.minus(entryCost.mul(soldShare));
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
    if (result) return result;
    if (timerFired) {
      // Time exit: judge progress at the current price with the same pure rule the guard uses.
      const q = await market.quote({ mode: req.mode, market: req.market });
      return updateExitPlan(current, { price: q.bid, high: q.bid, low: q.bid, ts: Date.now() });
    }
    return { plan: current };
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
