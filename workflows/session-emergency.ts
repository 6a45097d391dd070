// The TradingSession after an emergency stop: every open position is told to halt (cancel a resting entry) or to
// flatten (sell now), no new entries start, and the session waits for its positions to end.
import { condition, getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { type EmergencyMode, exitPositionSignal, haltPositionSignal } from './definitions';
import { acts, type SessionContext, setStatus } from './session-context';
import { WATCH_POSITIONS_MS, watchPositions } from './session-positions';

async function applyEmergency(ctx: SessionContext, mode: EmergencyMode) {
  const { state } = ctx;
  state.emergency = mode;
  await acts.recordRiskEvent({
    sessionId: ctx.sessionId,
    kind: mode === 'flatten' ? 'emergency_flatten' : 'emergency_halt',
    severity: 'critical',
    message: `emergency stop (${mode}) received`,
    details: { openPositions: Object.keys(state.open) },
  });
  for (const positionId of Object.keys(state.open)) {
    const handle = getExternalWorkflowHandle(positionId);
    try {
      if (mode === 'flatten') await handle.signal(exitPositionSignal, { reason: 'emergency flatten' });
      else await handle.signal(haltPositionSignal, { reason: 'emergency halt' });
    } catch (err) {
      log.warn('position did not take the emergency signal', { positionId, error: String(err) });
    }
  }
  await setStatus(ctx, 'halted');
}

/**
 * Applies the pending emergency stop (and any that escalates it meanwhile) and waits until no position is open;
 * `watching` (WATCH_POSITIONS) also drops positions that ended without reporting.
 */
export async function waitOutEmergency(ctx: SessionContext, watching: boolean) {
  const { state } = ctx;
  while (ctx.pendingEmergency) {
    const mode: EmergencyMode = ctx.pendingEmergency;
    ctx.pendingEmergency = null;
    await applyEmergency(ctx, mode);
    if (!watching) {
      await condition(() => Object.keys(state.open).length === 0 || ctx.pendingEmergency !== null);
      continue;
    }
    while (Object.keys(state.open).length > 0 && ctx.pendingEmergency === null) {
      await condition(() => Object.keys(state.open).length === 0 || ctx.pendingEmergency !== null, WATCH_POSITIONS_MS);
      await watchPositions(ctx);
    }
  }
}
