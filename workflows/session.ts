// TradingSession workflow (`session-<id>`): reconcile, then evaluate on a durable timer, apply the
// risk engine, start one Position child per entry; pause/resume/emergency stop by signal, config by
// validated update; continues-as-new carrying its state so a session can run for months.
// The steps live beside it: session-evaluate.ts (an evaluation and its entries), session-positions.ts (the
// Position children), session-emergency.ts (after an emergency stop), session-context.ts (the state they share).
import { allHandlersFinished, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { emptyRiskState } from '../core/risk';
import { checkStrategyAndRisk, describeErrors, parseSessionConfig, type SessionConfig } from '../core/session/config';
import { untilNextEvaluation } from '../core/session/schedule';
import {
  type ConfigChangeNote,
  emergencyStopSignal,
  pauseSignal,
  positionClosedSignal,
  resumeSignal,
  type SessionStatus,
  sessionStatusQuery,
  updateConfigUpdate,
} from './definitions';
import { retuneScheduleId, TASK_QUEUE_TRADING } from './ids';
import { acts, type SessionContext, type SessionInput, setStatus } from './session-context';
import { waitOutEmergency } from './session-emergency';
import { DECIDE_AT_BAR_CLOSE, evaluate } from './session-evaluate';
import { adoptOrphan, onClosed, WATCH_POSITIONS, watchPositions } from './session-positions';

export type { SessionCarry, SessionInput } from './session-context';

/** Patch: a session configured with `orphans: "adopt"` starts a Position for each orphan reconciliation finds. */
const ADOPT_ORPHANS = 'adopt-orphans';
/**
 * Patch: the session keeps the Temporal Schedule of its re-tuning (`retune` in its config): created at start, changed
 * with the config, deleted when the session ends.
 */
const RETUNE_SCHEDULE = 'retune-schedule';

export async function tradingSession(input: SessionInput): Promise<SessionStatus> {
  const ctx: SessionContext = {
    sessionId: input.sessionId,
    config: input.config,
    state: input.carry ?? {
      status: 'starting',
      paused: false,
      emergency: null,
      open: {},
      positionSeq: {},
      closedPositions: 0,
      lastDecisions: [],
      risk: emptyRiskState(),
      evaluations: 0,
      lastEvaluationTs: null,
      runsSoFar: 0,
    },
    pendingEmergency: null,
    lastWatchTs: Date.now(),
  };
  const { sessionId, state } = ctx;
  registerHandlers(ctx);

  // ---- the first run: reconcile, and adopt orphans when told to
  if (state.runsSoFar === 0) {
    await setStatus(ctx, 'running');
    if (ctx.config.retune && patched(RETUNE_SCHEDULE)) await syncRetuneSchedule(ctx, ctx.config.retune);
    const report = await acts.reconcileSession({ sessionId, mode: ctx.config.mode });
    // Coins nobody owns get an owner and an exit plan when the session is told to adopt them.
    if (ctx.config.orphans === 'adopt' && patched(ADOPT_ORPHANS)) {
      for (const orphan of report.orphans ?? []) await adoptOrphan(ctx, orphan);
    }
  }
  state.runsSoFar += 1;

  const watching = patched(WATCH_POSITIONS);

  // ---- the loop
  while (state.emergency === null) {
    // Decisions come right after each bar closes, as in a backtest; before this patch only the interval counted.
    const waitMs = patched(DECIDE_AT_BAR_CLOSE)
      ? untilNextEvaluation(ctx.config, Date.now())
      : ctx.config.loopIntervalSec * 1000;
    await condition(() => ctx.pendingEmergency !== null, waitMs);
    if (ctx.pendingEmergency) break;
    if (state.paused) {
      await setStatus(ctx, 'paused');
      // Before this patch a paused session skipped the continue-as-new check below.
      if (!patched('continue-as-new-while-paused')) continue;
    } else {
      await setStatus(ctx, 'running');
      await evaluate(ctx);
    }
    if (watching) await watchPositions(ctx);
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof tradingSession>({ sessionId, config: ctx.config, carry: state });
    }
  }

  // ---- after an emergency stop: no new entries; wait for the positions to end (flatten sells them).
  await waitOutEmergency(ctx, watching);
  await condition(allHandlersFinished);
  if (ctx.config.retune && patched(RETUNE_SCHEDULE)) await syncRetuneSchedule(ctx, null);
  await setStatus(ctx, 'stopped');
  return snapshot(ctx);
}

function snapshot(ctx: SessionContext): SessionStatus {
  const { state } = ctx;
  return {
    sessionId: ctx.sessionId,
    status: state.status,
    paused: state.paused,
    halted: state.emergency !== null,
    emergency: state.emergency,
    openPositions: Object.entries(state.open).map(([positionId, p]) => ({ positionId, market: p.market })),
    closedPositions: state.closedPositions,
    lastDecisions: state.lastDecisions,
    risk: state.risk,
    evaluations: state.evaluations,
    lastEvaluationTs: state.lastEvaluationTs,
    config: ctx.config,
    runsSoFar: state.runsSoFar,
  };
}

/** The status query, pause/resume, the emergency stop, the positions' closes and the validated config update. */
function registerHandlers(ctx: SessionContext): void {
  const { state } = ctx;
  setHandler(sessionStatusQuery, () => snapshot(ctx));
  setHandler(pauseSignal, () => {
    state.paused = true;
  });
  setHandler(resumeSignal, () => {
    state.paused = false;
  });
  setHandler(emergencyStopSignal, ({ mode }) => {
    // Idempotent; a flatten after a halt escalates, a halt after a flatten changes nothing.
    if (state.emergency === 'flatten') return;
    if (state.emergency === mode) return;
    ctx.pendingEmergency = mode;
  });
  setHandler(positionClosedSignal, (closed) => onClosed(ctx, closed));
  setHandler(
    updateConfigUpdate,
    async (patch: Record<string, unknown>, note?: ConfigChangeNote) => {
      const parsed = parseSessionConfig(patch, ctx.config);
      if (!parsed.ok) throw new Error(describeErrors(parsed.errors));
      const retuneBefore = JSON.stringify(ctx.config.retune ?? null);
      ctx.config = parsed.value;
      await acts.recordSessionConfig({
        sessionId: ctx.sessionId,
        config: ctx.config,
        reason: note?.reason ?? 'updateConfig',
        ...(note?.evidence && { evidence: note.evidence }),
      });
      if (JSON.stringify(ctx.config.retune ?? null) !== retuneBefore && patched(RETUNE_SCHEDULE))
        await syncRetuneSchedule(ctx, ctx.config.retune ?? null);
      return ctx.config;
    },
    {
      validator: (patch: Record<string, unknown>, note?: ConfigChangeNote) => {
        if (note !== undefined && (typeof note?.reason !== 'string' || note.reason.length > 80))
          throw new Error('note.reason: must be a string of at most 80 characters');
        const parsed = parseSessionConfig(patch, ctx.config);
        if (!parsed.ok) throw new Error(describeErrors(parsed.errors));
        if (parsed.value.mode !== ctx.config.mode) throw new Error('mode: cannot change the mode of a running session');
        const errors = checkStrategyAndRisk(parsed.value);
        if (errors.length) throw new Error(errors.join('; '));
      },
    },
  );
}

async function syncRetuneSchedule(ctx: SessionContext, retune: SessionConfig['retune'] | null) {
  await acts.syncRetuneSchedule({
    sessionId: ctx.sessionId,
    retune: retune ?? null,
    scheduleId: retuneScheduleId(ctx.sessionId),
    taskQueue: TASK_QUEUE_TRADING,
  });
}
