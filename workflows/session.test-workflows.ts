// The workflow bundle of workflows/session.test.ts: the real TradingSession beside a stand-in Position
// that reports what it was asked to buy (through a test activity) and closes at once, so the session's
// decision loop is tested without orders, guards or an exchange.
import { getExternalWorkflowHandle, proxyActivities } from '@temporalio/workflow';
import { type PositionRequest, positionClosedSignal } from './definitions';

export { tradingSession } from './session';

const test = proxyActivities<{ positionStarted(req: PositionRequest): Promise<void> }>({
  startToCloseTimeout: '1m',
});

export async function positionWorkflow(req: PositionRequest): Promise<void> {
  await test.positionStarted(req);
  await getExternalWorkflowHandle(req.sessionWorkflowId).signal(positionClosedSignal, {
    positionId: req.positionId,
    market: req.market,
    realizedPnl: '0',
    fees: '0',
    entryFunds: '0',
    exitReason: 'test: closed at once',
    closedTs: Date.now(),
  });
}
