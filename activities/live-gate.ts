// The worker's own check before any live order: the server must allow live trading (ALLOW_LIVE=1 in
// the worker's environment too) and an admin must have confirmed the session through the API's
// two-step start, which writes a live_confirmations row. A workflow started straight on Temporal
// with mode live has no such row, so it places nothing.
import { ApplicationFailure } from '@temporalio/activity';
// A refused live order ends its Order workflow as rejected (the position then closes with nothing bought).
import { ORDER_FAILURE } from '../core/contract';
import { liveTradingAllowed } from '../core/environment';
import type { TradingMode } from '../core/session/config';
import type { Database } from '../prisma/db';
import { liveConfirmationOf } from '../prisma/repositories/sessions';

export async function assertLiveOrderConfirmed(
  db: Database,
  order: { mode: TradingMode; sessionId?: string | null; identifier: string },
): Promise<void> {
  if (order.mode !== 'live') return;
  if (!liveTradingAllowed())
    throw ApplicationFailure.nonRetryable(
      `live order ${order.identifier} refused: this worker was not started with ALLOW_LIVE=1`,
      ORDER_FAILURE.orderRejected,
      { upbitName: 'live_not_allowed' },
    );
  const confirmed = order.sessionId ? await liveConfirmationOf(db.prisma, order.sessionId) : null;
  if (!confirmed)
    throw ApplicationFailure.nonRetryable(
      `live order ${order.identifier} refused: session ${order.sessionId ?? '(none)'} was not confirmed by an admin`,
      ORDER_FAILURE.orderRejected,
      { upbitName: 'live_not_confirmed' },
    );
}
