// Deterministic workflow ids and exchange identifiers: one helper per entity, used by every caller.

export const TASK_QUEUE_TRADING = 'trading';
export const TASK_QUEUE_BACKTEST = 'backtest';
/** The candle collector's activities (market data downloads). */
export const TASK_QUEUE_DATA = 'data';

export const sessionWorkflowId = (sessionId: string) => `session-${sessionId}`;
export const positionWorkflowId = (sessionId: string, market: string, n: number) => `pos-${sessionId}-${market}-${n}`;
export const orderWorkflowId = (positionId: string, n: number) => `ord-${positionId}-${n}`;
/** The universe refresh of a mode: its Temporal Schedule, and the workflow runs it starts. */
export const universeScheduleId = (mode: string) => `universe-${mode}`;
/** The candle collector of a mode: its Temporal Schedule, and the workflow runs it starts. */
export const candleCollectorScheduleId = (mode: string) => `candles-${mode}`;
/** The account's value every minute: its Temporal Schedule, and the workflow runs it starts. */
export const accountSnapshotScheduleId = (mode: string) => `account-snapshots-${mode}`;

/** A session's scheduled re-tuning: its Temporal Schedule, and the workflow runs it starts. */
export const retuneScheduleId = (sessionId: string) => `retune-${sessionId}`;

/** Upbit never accepts an identifier twice: each submit attempt of an order gets its own. */
export const submitIdentifier = (orderId: string, submitSeq: number) => `${orderId}-s${submitSeq}`;
export const fallbackIdentifier = (orderId: string, submitSeq: number) => `${orderId}-m${submitSeq}`;

/** The position an order id (`ord-<position>-<n>`) belongs to; its workflow id is the position id. */
export function positionIdOfOrderId(orderId: string): string | undefined {
  const m = /^ord-(pos-.+)-\d+$/.exec(orderId);
  return m?.[1];
}

/** The Order workflow id an exchange identifier belongs to (for fills arriving on the private stream). */
export function orderIdOfIdentifier(identifier: string): string | undefined {
  const m = /^(ord-.+)-[sm]\d+$/.exec(identifier);
  return m?.[1];
}
