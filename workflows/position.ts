// Position workflow (`pos-<session>-<market>-<n>`): follows the entry order its session placed, or places its entry
// itself (the order lifecycle of order-lifecycle.ts, run inline; before ENTRY_PLACED_INLINE through an Order child),
// then the exit plan:
// a heartbeating guard activity on the price stream races a durable timer (time exit) and an exit
// signal; every exit sells through another Order child; reports its close to the session.
// The steps live beside it: position-entry.ts (the buy), position-exits.ts (the books, the exits, the close),
// position-context.ts (the state they share and the activity proxies).
import { getExternalWorkflowHandle, patched, setHandler } from '@temporalio/workflow';
import {
  cancelOrderSignal,
  exitPositionSignal,
  haltPositionSignal,
  type OrderResult,
  orderChangedSignal,
  type PositionRequest,
  type PositionStatus,
  positionStatusQuery,
} from './definitions';
import { newPositionContext, type PositionContext } from './position-context';
import { adoptHolding, enter } from './position-entry';
import { closePosition, openLedger, openPosition, sellUntilFlat } from './position-exits';

export { ENTRY_PLACED_INLINE, RECORD_ENTERING_LOCALLY } from './position-entry';

/**
 * Patch: an exit is never abandoned. No deadline on exit orders; an exit that sells nothing re-reads
 * the account and the book and tries again with a corrected order (what the account holds, in
 * slices the bids can take), raising a critical risk event each time; the position closes only when
 * it holds nothing or dust below the minimum total. An Order child that ends without a result is
 * read back from the exchange; quotes retry until the exchange answers. The time exit judges the
 * guard's own progress (highs, trailing stop), not the plan the guard was started with.
 */
export const EXITS_NEVER_ABANDONED = 'exits-never-abandoned';

export async function positionWorkflow(req: PositionRequest): Promise<PositionStatus> {
  const ctx = newPositionContext(req, patched(EXITS_NEVER_ABANDONED));
  registerHandlers(ctx);

  const entry: OrderResult = req.adopt ? await adoptHolding(ctx, req.adopt) : await enter(ctx);
  const ledger = openLedger(ctx.status, entry);
  if (ledger.bought.isZero()) {
    return closePosition(
      ctx,
      ledger,
      entry.outcome === 'rejected' ? `entry rejected: ${entry.reason ?? ''}` : 'entry not filled',
    );
  }
  const plan = await openPosition(ctx, ledger, entry);
  const reason = await sellUntilFlat(ctx, ledger, plan);
  return closePosition(ctx, ledger, reason);
}

/** The status query and the signals: an exit asked for, a halt, the private stream's hint for the entry. */
function registerHandlers(ctx: PositionContext): void {
  const { status, entryControl } = ctx;
  setHandler(positionStatusQuery, () => status);
  setHandler(orderChangedSignal, () => {
    entryControl.changed = true;
  });
  setHandler(exitPositionSignal, ({ reason }) => {
    ctx.exitRequested ??= reason;
    // An exit asked for while the entry still fills (an emergency flatten) stops the buying: the entry's rest is
    // cancelled, no fallback buys more, and what was bought is sold at once.
    if (status.phase === 'entering' && ctx.entryInline) entryControl.cancelRequested ??= `exit requested: ${reason}`;
  });
  setHandler(haltPositionSignal, async ({ reason }) => {
    ctx.halted ??= reason;
    // A halt cancels an entry still resting on the book; an open position keeps its exit plan.
    if (status.phase === 'entering' && ctx.entryInline) entryControl.cancelRequested = `halt: ${reason}`;
    else if (status.phase === 'entering' && ctx.entryOrderId) {
      await getExternalWorkflowHandle(ctx.entryOrderId).signal(cancelOrderSignal, { reason: `halt: ${reason}` });
    }
  });
}
