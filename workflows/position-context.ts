// The Position workflow's state shared by its steps (position-entry.ts, position-exits.ts): the request, what
// the signals asked for, the order ids handed out, the status the query reads; and the activity proxies.
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  log,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { OrderRequest, OrderResult, PositionRequest, PositionStatus } from './definitions';
import { NON_RETRYABLE, type OrderControl } from './order-lifecycle';

export const records = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/** Short idempotent database writes run in the workflow worker itself (an upsert, so a rerun leaves the same row). */
export const localRecords = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * The entry's submits. A local activity has no attempt count that survives a worker crash, so the submit activity
 * treats every local run as a retry and looks its identifier up first: a rerun adopts the order it placed.
 */
export const entrySubmit = proxyLocalActivities<Activities>({
  // A submit may wait out an identifier's lookups (IDENTIFIER_SETTLE_MS).
  startToCloseTimeout: '3m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

export const market = proxyActivities<Activities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 10 },
});

/** Exchange reads that retry until the exchange answers, however long it is away. */
export const exchangeReads = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

// The guard runs as long as the position is open; heartbeats carry the plan so a retry resumes it.
export const guard = proxyActivities<Activities>({
  startToCloseTimeout: '30 days',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
});

export interface PositionContext {
  req: PositionRequest;
  /** EXITS_NEVER_ABANDONED applies. */
  durable: boolean;
  status: PositionStatus;
  /** Set by the exit signal (the first reason wins). */
  exitRequested: string | null;
  /** Set by the halt signal (the first reason wins). */
  halted: string | null;
  /** The last order number handed out (`ord-<position>-<n>`). */
  orderSeq: number;
  entryOrderId: string | null;
  /** ENTRY_PLACED_INLINE: the entry runs in this workflow; hints and halts reach it through entryControl. */
  entryInline: boolean;
  entryControl: OrderControl;
  /** The fields every order of this position shares. */
  orderBase: Pick<OrderRequest, 'sessionId' | 'positionId' | 'mode' | 'market' | 'timeoutSec' | 'maxSlippagePct'>;
}

export function newPositionContext(req: PositionRequest, durable: boolean): PositionContext {
  return {
    req,
    durable,
    status: {
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
    },
    exitRequested: null,
    halted: null,
    orderSeq: 0,
    entryOrderId: null,
    entryInline: false,
    entryControl: { changed: false, cancelRequested: null },
    orderBase: orderBaseOf(req),
  };
}

/** The fields every order of a position shares. */
export function orderBaseOf(req: PositionRequest): PositionContext['orderBase'] {
  return {
    sessionId: req.sessionId,
    positionId: req.positionId,
    mode: req.mode,
    market: req.market,
    timeoutSec: req.order.timeoutSec,
    maxSlippagePct: req.order.maxSlippagePct,
  };
}

/**
 * Reads an order's result (an Order child's, or the inline entry's); one that ended without a result is read
 * back from the exchange.
 */
export async function childResult(
  ctx: PositionContext,
  orderId: string,
  result: () => Promise<OrderResult>,
): Promise<OrderResult> {
  const { req } = ctx;
  try {
    return await result();
  } catch (err) {
    const orderFailed =
      err instanceof ChildWorkflowFailure || err instanceof ActivityFailure || err instanceof ApplicationFailure;
    if (!ctx.durable || !orderFailed) throw err;
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
