// The Position workflow's entry: the buy order (placed inline since ENTRY_PLACED_INLINE, before that through an
// Order child; followed from its first submit when the session placed that, PositionRequest.entryPlaced), or an
// orphan on the account taken over as if bought.
import { ParentClosePolicy, patched, startChild } from '@temporalio/workflow';
import Decimal from 'decimal.js';
import type { PositionRecord } from '../activities/records';
import { cancelOrderSignal, type OrderRequest, type OrderResult, type PositionRequest } from './definitions';
import { orderWorkflowId } from './ids';
import { orderWorkflow } from './order';
import { exchangeDurable, newOrderStatus, type OrderExchange, runOrder } from './order-lifecycle';
import {
  childResult,
  entrySubmit,
  exchangeReads,
  localRecords,
  orderBaseOf,
  type PositionContext,
  records,
} from './position-context';

/**
 * Patch: the "entering" record is written by a local activity in the position's first workflow task, which then
 * starts the entry Order child: no activity-task round trip between the Position's start and its order. The row
 * still exists before the order is placed (orders reference their position).
 */
export const RECORD_ENTERING_LOCALLY = 'record-entering-locally';

/**
 * Patch: the position places its entry itself, running the order lifecycle (order-lifecycle.ts) inline under the
 * id its Order child would have had (`ord-<position>-1`, so the same identifiers), instead of starting an Order
 * child; the entering row and the first submit are one local activity (placeEntry) in the position's first
 * workflow task, so the order leaves before that task even completes. Private-stream hints for the entry come to
 * the position (orderChanged); a halt cancels the entry's rest directly. Exits still sell through Order children.
 */
export const ENTRY_PLACED_INLINE = 'entry-placed-inline';

/** How long after it was decided an entry may still be placed (the order's notAfterTs). */
const ENTRY_PLACEABLE_MS = 60_000;

/**
 * The entry's buy order, decided at `now`: a limit bid at the entry price for the entry volume. The session builds
 * it too, to place the first submit before the position starts (PositionRequest.entryPlaced).
 */
export function entryOrderRequest(req: PositionRequest, now: number): OrderRequest {
  return {
    ...orderBaseOf(req),
    side: 'bid',
    ordType: 'limit',
    price: req.entryPrice,
    volume: req.entryVolume,
    fallbackToMarket: req.order.fallbackToMarket,
    minTotalKrw: new Decimal(req.marketMinTotal).toString(),
    notAfterTs: now + ENTRY_PLACEABLE_MS,
    purpose: 'entry',
    reason: req.entryReasons.join('; '),
  };
}

/** The entry's order id (`ord-<position>-1`): the first order a position places. */
export const entryOrderIdOf = (positionId: string) => orderWorkflowId(positionId, 1);

/** The position's row before its entry is placed (orders reference their position). */
export function enteringRecord(req: PositionRequest): PositionRecord {
  return { positionId: req.positionId, sessionId: req.sessionId, market: req.market, status: 'entering' };
}

/** Buys the position's volume; the result says what was bought. */
export async function enter(ctx: PositionContext): Promise<OrderResult> {
  const { req } = ctx;
  const entering = enteringRecord(req);
  const entryRequest = () => entryOrderRequest(req, Date.now());
  if (patched(ENTRY_PLACED_INLINE)) {
    ctx.orderSeq += 1;
    ctx.entryOrderId = orderWorkflowId(req.positionId, ctx.orderSeq);
    return placeEntry(ctx, ctx.entryOrderId, entryRequest(), entering);
  }
  if (patched(RECORD_ENTERING_LOCALLY)) await localRecords.recordPosition(entering);
  else await records.recordPosition(entering);

  ctx.orderSeq += 1;
  const entryOrderId = orderWorkflowId(req.positionId, ctx.orderSeq);
  ctx.entryOrderId = entryOrderId;
  const entryReq = entryRequest();
  const entryHandle = await startChild(orderWorkflow, {
    workflowId: entryOrderId,
    args: [entryReq],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  if (ctx.halted) await entryHandle.signal(cancelOrderSignal, { reason: `halt: ${ctx.halted}` });
  return childResult(ctx, entryOrderId, () => entryHandle.result());
}

/**
 * ENTRY_PLACED_INLINE: the entry's order lifecycle in this workflow. Its first submit writes the entering row
 * and places the order in one local activity, in this workflow's first task.
 */
async function placeEntry(
  ctx: PositionContext,
  orderId: string,
  entryReq: OrderRequest,
  entering: PositionRecord,
): Promise<OrderResult> {
  ctx.entryInline = true;
  if (ctx.halted) ctx.entryControl.cancelRequested = `halt: ${ctx.halted}`;
  else if (ctx.exitRequested) ctx.entryControl.cancelRequested = `exit requested: ${ctx.exitRequested}`;
  const entryStatus = newOrderStatus();
  const exchange: OrderExchange = {
    submitOrder: (order) =>
      entrySubmit.placeEntry({ order, ...(entryStatus.submitSeq === 1 && { position: entering }) }),
    syncOrder: exchangeDurable.syncOrder,
    cancelExchangeOrder: exchangeDurable.cancelExchangeOrder,
    quote: exchangeDurable.quote,
  };
  return childResult(ctx, orderId, () =>
    runOrder({
      orderId,
      req: entryReq,
      status: entryStatus,
      control: ctx.entryControl,
      exchange,
      durable: true,
      marketOrdersWait: () => true,
      firstPlaced: ctx.req.entryPlaced,
    }),
  );
}

/** An orphan taken over: an entry "filled" at the account's average buy price (or the bid when it has none). */
export async function adoptHolding(
  ctx: PositionContext,
  adopt: { volume: string; avgBuyPrice: string },
): Promise<OrderResult> {
  const { req } = ctx;
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
