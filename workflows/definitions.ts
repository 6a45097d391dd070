// Signals, queries and updates of the trading workflows. The shapes they carry are the contract module's
// (core/contract), re-exported here so workflow code has one place to import its messages from.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ConfigChangeNote,
  EmergencyMode,
  OrderStatus,
  PositionClosed,
  PositionStatus,
  SessionStatus,
} from '../core/contract';
import type { SessionConfig } from '../core/session/config';

export * from '../core/contract';

// ----- Order -----------------------------------------------------------------------------------

/** A hint from the private stream that an order changed; the workflow re-reads the exchange. */
export const orderChangedSignal = defineSignal<[{ uuid: string; state: string }]>('orderChanged');
/** Cancel the rest now (emergency halt of an entry). */
export const cancelOrderSignal = defineSignal<[{ reason: string }]>('cancelOrder');
export const orderStatusQuery = defineQuery<OrderStatus>('status');

// ----- Position --------------------------------------------------------------------------------

export const exitPositionSignal = defineSignal<[{ reason: string }]>('exitPosition');
export const haltPositionSignal = defineSignal<[{ reason: string }]>('haltPosition');
export const positionStatusQuery = defineQuery<PositionStatus>('status');

// ----- Session ---------------------------------------------------------------------------------

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const emergencyStopSignal = defineSignal<[{ mode: EmergencyMode; reason: string }]>('emergencyStop');
export const positionClosedSignal = defineSignal<[PositionClosed]>('positionClosed');
export const updateConfigUpdate = defineUpdate<SessionConfig, [Record<string, unknown>, ConfigChangeNote?]>(
  'updateConfig',
);
export const sessionStatusQuery = defineQuery<SessionStatus>('status');
