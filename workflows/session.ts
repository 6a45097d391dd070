// TradingSession workflow (`session-<id>`): reconcile, then evaluate on a durable timer, apply the
// risk engine, start one Position child per entry; pause/resume/emergency stop by signal, config by
// validated update; continues-as-new carrying its state so a session can run for months.
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import Decimal from 'decimal.js';
import type { Activities } from '../activities';
import {
  checkEntry,
  DEFAULT_RISK_CONFIG,
  emptyRiskState,
  onBtcPrice,
  onEquity,
  onFill,
  onPositionClosed,
  sizeEntry,
} from '../core/risk';
import type { RiskConfig, RiskState } from '../core/risk/types';
import {
  checkStrategyAndRisk,
  describeErrors,
  entryTimeframeOf,
  parseSessionConfig,
  type SessionConfig,
  sessionRiskConfig,
} from '../core/session/config';
import { untilNextEvaluation } from '../core/session/schedule';
import {
  type ConfigChangeNote,
  type DecisionView,
  type EmergencyMode,
  emergencyStopSignal,
  exitPositionSignal,
  haltPositionSignal,
  type PositionClosed,
  type PositionRequest,
  pauseSignal,
  positionClosedSignal,
  resumeSignal,
  type SessionRunStatus,
  type SessionStatus,
  sessionStatusQuery,
  updateConfigUpdate,
} from './definitions';
import { positionWorkflowId, retuneScheduleId, sessionWorkflowId, TASK_QUEUE_TRADING } from './ids';
import { positionWorkflow } from './position';
import { SA_SESSION_STATUS } from './search-attributes';
import { decideSessionEntries } from './session-decision';

/**
 * Patch: the session checks its open Position children about once a minute. One that ended without
 * reporting its close (failed, terminated, or its close signal lost) is dropped from the open set: a
 * completed one counts with its own result; any other raises a critical event (its coins are then the
 * reconciliation's orphans). A session waiting for its positions after an emergency stop checks too.
 */
const WATCH_POSITIONS = 'session-watches-positions';
/** Patch: a session configured with `orphans: "adopt"` starts a Position for each orphan reconciliation finds. */
const ADOPT_ORPHANS = 'adopt-orphans';
const WATCH_POSITIONS_MS = 60_000;

/** Patch: evaluate when a bar of the entry timeframe closes and decide once per market and bar. */
const DECIDE_AT_BAR_CLOSE = 'decide-at-bar-close';
/** Patch: entries decided by core/decision's decideEntries, the step the backtester runs. */
const ONE_DECISION_PATH = 'one-decision-path';
/**
 * Patch: the session keeps the Temporal Schedule of its re-tuning (`retune` in its config): created at start, changed
 * with the config, deleted when the session ends.
 */
const RETUNE_SCHEDULE = 'retune-schedule';
/**
 * Patch: an evaluation's strategy-exit signals and Position starts go out together in one workflow task, instead
 * of one task (and one server round trip) per signal and per position.
 */
const START_POSITIONS_TOGETHER = 'start-positions-together';

// Records and reconciliation retry until the exchange and the database answer again.
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

// An evaluation gives up after about a minute; the loop records it and tries at the next interval.
const evaluation = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});

type EvaluationResult = Awaited<ReturnType<Activities['evaluateSession']>>;

export interface SessionCarry {
  status: SessionRunStatus;
  paused: boolean;
  emergency: EmergencyMode | null;
  open: Record<string, { market: string }>;
  positionSeq: Record<string, number>;
  closedPositions: number;
  lastDecisions: DecisionView[];
  risk: RiskState;
  evaluations: number;
  lastEvaluationTs: number | null;
  runsSoFar: number;
  /** Per market: open time of the newest entry-timeframe bar an evaluation judged (each bar decides once). */
  judgedBars?: Record<string, number>;
}

export interface SessionInput {
  sessionId: string;
  config: SessionConfig;
  carry?: SessionCarry;
}

function riskConfigOf(config: SessionConfig): RiskConfig {
  const parsed = sessionRiskConfig(config);
  return parsed.ok ? parsed.value : DEFAULT_RISK_CONFIG;
}

/** Waits for every one (each position started is counted open), then throws the first failure, if any. */
async function allSettledOrThrow(work: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

export async function tradingSession(input: SessionInput): Promise<SessionStatus> {
  const { sessionId } = input;
  let config = input.config;
  const state: SessionCarry = input.carry ?? {
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
  };
  let pendingEmergency: EmergencyMode | null = null;
  let lastWatchTs = Date.now();

  const snapshot = (): SessionStatus => ({
    sessionId,
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
    config,
    runsSoFar: state.runsSoFar,
  });

  setHandler(sessionStatusQuery, snapshot);
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
    pendingEmergency = mode;
  });
  setHandler(positionClosedSignal, (closed) => onClosed(closed));
  function onClosed(closed: PositionClosed) {
    if (!state.open[closed.positionId]) return;
    delete state.open[closed.positionId];
    state.closedPositions += 1;
    state.risk = onPositionClosed(state.risk, {
      positionId: closed.positionId,
      market: closed.market,
      pnlKrw: closed.realizedPnl,
      ts: closed.closedTs,
    });
  }

  /** Drops open positions whose workflow ended without reporting (see WATCH_POSITIONS). */
  async function watchPositions() {
    const open = Object.keys(state.open);
    if (!open.length || Date.now() - lastWatchTs < WATCH_POSITIONS_MS) return;
    lastWatchTs = Date.now();
    for (const ended of await acts.positionsEnded({ positionIds: open })) {
      const market = state.open[ended.positionId]?.market;
      if (!market) continue;
      const r = ended.result;
      if (r && r.phase === 'closed') {
        onClosed({
          positionId: ended.positionId,
          market,
          realizedPnl: r.realizedPnl,
          fees: r.fees,
          entryFunds: '0',
          exitReason: r.exitReason ?? '',
          closedTs: Date.now(),
        });
        continue;
      }
      delete state.open[ended.positionId];
      await acts.recordRiskEvent({
        sessionId,
        kind: 'position_lost',
        severity: 'critical',
        message: `${market}: position ${ended.positionId} ended (${ended.execution}) without closing; its coins are left to reconciliation`,
        details: { positionId: ended.positionId, execution: ended.execution },
      });
    }
  }
  setHandler(
    updateConfigUpdate,
    async (patch: Record<string, unknown>, note?: ConfigChangeNote) => {
      const parsed = parseSessionConfig(patch, config);
      if (!parsed.ok) throw new Error(describeErrors(parsed.errors));
      const retuneBefore = JSON.stringify(config.retune ?? null);
      config = parsed.value;
      await acts.recordSessionConfig({
        sessionId,
        config,
        reason: note?.reason ?? 'updateConfig',
        ...(note?.evidence && { evidence: note.evidence }),
      });
      if (JSON.stringify(config.retune ?? null) !== retuneBefore && patched(RETUNE_SCHEDULE))
        await syncRetuneSchedule(config.retune ?? null);
      return config;
    },
    {
      validator: (patch: Record<string, unknown>, note?: ConfigChangeNote) => {
        if (note !== undefined && (typeof note?.reason !== 'string' || note.reason.length > 80))
          throw new Error('note.reason: must be a string of at most 80 characters');
        const parsed = parseSessionConfig(patch, config);
        if (!parsed.ok) throw new Error(describeErrors(parsed.errors));
        if (parsed.value.mode !== config.mode) throw new Error('mode: cannot change the mode of a running session');
        const errors = checkStrategyAndRisk(parsed.value);
        if (errors.length) throw new Error(errors.join('; '));
      },
    },
  );

  async function syncRetuneSchedule(retune: SessionConfig['retune'] | null) {
    await acts.syncRetuneSchedule({
      sessionId,
      retune: retune ?? null,
      scheduleId: retuneScheduleId(sessionId),
      taskQueue: TASK_QUEUE_TRADING,
    });
  }

  async function setStatus(status: SessionRunStatus) {
    if (state.status === status) return;
    state.status = status;
    upsertSearchAttributes([{ key: SA_SESSION_STATUS, value: status }]);
    await acts.recordSessionStatus({ sessionId, status });
  }

  async function applyEmergency(mode: EmergencyMode) {
    state.emergency = mode;
    await acts.recordRiskEvent({
      sessionId,
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
    await setStatus('halted');
  }

  if (state.runsSoFar === 0) {
    await setStatus('running');
    if (config.retune && patched(RETUNE_SCHEDULE)) await syncRetuneSchedule(config.retune);
    const report = await acts.reconcileSession({ sessionId, mode: config.mode });
    // Coins nobody owns get an owner and an exit plan when the session is told to adopt them.
    if (config.orphans === 'adopt' && patched(ADOPT_ORPHANS)) {
      for (const orphan of report.orphans ?? []) await adoptOrphan(orphan);
    }
  }
  state.runsSoFar += 1;

  const watching = patched(WATCH_POSITIONS);

  // ---- the loop
  while (state.emergency === null) {
    // Decisions come right after each bar closes, as in a backtest; before this patch only the interval counted.
    const waitMs = patched(DECIDE_AT_BAR_CLOSE)
      ? untilNextEvaluation(config, Date.now())
      : config.loopIntervalSec * 1000;
    await condition(() => pendingEmergency !== null, waitMs);
    if (pendingEmergency) break;
    if (state.paused) {
      await setStatus('paused');
      // Before this patch a paused session skipped the continue-as-new check below.
      if (!patched('continue-as-new-while-paused')) continue;
    } else {
      await setStatus('running');
      if (patched('evaluation-failure-is-not-fatal')) {
        try {
          await evaluateOnce();
        } catch (err) {
          if (!(err instanceof ActivityFailure)) throw err;
          await acts.recordRiskEvent({
            sessionId,
            kind: 'evaluation_failed',
            severity: 'warn',
            message: `evaluation failed, retrying at the next interval: ${err.cause?.message ?? err.message}`,
          });
        }
      } else {
        await evaluateOnce();
      }
    }
    if (watching) await watchPositions();
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof tradingSession>({ sessionId, config, carry: state });
    }
  }

  // ---- after an emergency stop: no new entries; wait for the positions to end (flatten sells them).
  while (pendingEmergency) {
    const mode: EmergencyMode = pendingEmergency;
    pendingEmergency = null;
    await applyEmergency(mode);
    if (!watching) {
      await condition(() => Object.keys(state.open).length === 0 || pendingEmergency !== null);
      continue;
    }
    while (Object.keys(state.open).length > 0 && pendingEmergency === null) {
      await condition(() => Object.keys(state.open).length === 0 || pendingEmergency !== null, WATCH_POSITIONS_MS);
      await watchPositions();
    }
  }
  await condition(allHandlersFinished);
  if (config.retune && patched(RETUNE_SCHEDULE)) await syncRetuneSchedule(null);
  await setStatus('stopped');
  return snapshot();

  async function adoptOrphan(orphan: { market: string; volume: string; avgBuyPrice: string }) {
    const riskConfig = riskConfigOf(config);
    const n = (state.positionSeq[orphan.market] ?? 0) + 1;
    state.positionSeq[orphan.market] = n;
    const positionId = positionWorkflowId(sessionId, orphan.market, n);
    await startPosition(
      positionId,
      {
        market: orphan.market,
        entryPrice: orphan.avgBuyPrice,
        entryVolume: orphan.volume,
        atr: null,
        entryReasons: ['adopted: coins on the account no position held'],
        marketMinTotal: '5000',
        adopt: { volume: orphan.volume, avgBuyPrice: orphan.avgBuyPrice },
      },
      riskConfig,
    );
    await acts.recordRiskEvent({
      sessionId,
      kind: 'orphan_adopted',
      severity: 'warn',
      message: `${orphan.market}: ${orphan.volume} on the account with no position; adopted by ${positionId} with the session's exit plan`,
      details: { ...orphan, positionId },
    });
  }

  async function evaluateOnce() {
    const riskConfig = riskConfigOf(config);
    const now = Date.now();
    const ev = await evaluation.evaluateSession({
      sessionId,
      config,
      openMarkets: Object.values(state.open).map((p) => p.market),
      ts: now,
    });
    state.evaluations += 1;
    state.lastEvaluationTs = now;
    // Before this patch the session ran its own copy of the entry pipeline; executions started before
    // it replay through that copy.
    if (!patched(ONE_DECISION_PATH)) return decideBeforeOneDecisionPath(ev, now, riskConfig);
    const decisions: DecisionView[] = [...ev.skipped];
    const together = (ev.exits?.length || ev.candidates.length) && patched(START_POSITIONS_TOGETHER);
    // Together: the exit signals are sent with the position starts below and awaited with them.
    const exitsSent = together ? sendStrategyExits(ev, now, decisions) : [];
    if (!together) await signalStrategyExits(ev, now, decisions);
    // The entry decision the backtester runs too (core/decision): ordering, limits, sizing, risk state.
    const decided = decideSessionEntries(
      sessionId,
      { risk: state.risk, judgedBars: state.judgedBars ?? {}, positionSeq: state.positionSeq },
      ev,
      riskConfig,
      now,
    );
    state.risk = decided.state.risk;
    state.judgedBars = decided.state.judgedBars;
    state.positionSeq = decided.state.positionSeq;
    for (const skip of decided.skips)
      decisions.push({
        market: skip.market,
        action: 'skip',
        score: skip.score,
        reasons: [...skip.reasons, skip.reason],
        ts: now,
      });
    const starts: Promise<void>[] = [];
    for (const [i, entry] of decided.entries.entries()) {
      if (state.emergency || pendingEmergency) {
        // An emergency stop arrived while positions started: the rest never start; free their slots.
        for (const rest of decided.entries.slice(i))
          state.risk = onPositionClosed(state.risk, {
            positionId: rest.positionId,
            market: rest.market,
            pnlKrw: 0,
            ts: now,
          });
        break;
      }
      const start = startPosition(
        entry.positionId,
        {
          market: entry.market,
          entryPrice: entry.price,
          entryVolume: entry.volume,
          atr: entry.atr,
          entryReasons: entry.reasons,
          marketMinTotal: entry.minTotal,
        },
        riskConfig,
      );
      if (together) starts.push(start);
      else await start;
      decisions.push({ market: entry.market, action: 'entry', score: entry.score, reasons: entry.reasons, ts: now });
    }
    if (together) await allSettledOrThrow([...exitsSent, ...starts]);
    state.lastDecisions = decisions.slice(-20);
    if (decisions.length) await acts.recordDecisions({ sessionId, decisions, inputs: ev.inputs });
  }

  /** The strategy exit signals of signalStrategyExits, all sent at once; the decisions are noted at once. */
  function sendStrategyExits(ev: EvaluationResult, now: number, decisions: DecisionView[]): Promise<void>[] {
    const sent: Promise<void>[] = [];
    for (const exit of ev.exits ?? []) {
      for (const [positionId, p] of Object.entries(state.open)) {
        if (p.market !== exit.market) continue;
        sent.push(
          getExternalWorkflowHandle(positionId)
            .signal(exitPositionSignal, { reason: `strategy exit: ${exit.reasons.join('; ')}` })
            // A position that ended meanwhile cannot take it; the position watch accounts for it.
            .catch((err) => log.warn('position did not take the exit signal', { positionId, error: String(err) })),
        );
      }
      decisions.push({ market: exit.market, action: 'exit', score: exit.score, reasons: exit.reasons, ts: now });
    }
    return sent;
  }

  /** Strategy exit signals close the positions held in that market (their own plans keep running). */
  async function signalStrategyExits(ev: EvaluationResult, now: number, decisions: DecisionView[]) {
    for (const exit of ev.exits ?? []) {
      for (const [positionId, p] of Object.entries(state.open)) {
        if (p.market !== exit.market) continue;
        await getExternalWorkflowHandle(positionId).signal(exitPositionSignal, {
          reason: `strategy exit: ${exit.reasons.join('; ')}`,
        });
      }
      decisions.push({ market: exit.market, action: 'exit', score: exit.score, reasons: exit.reasons, ts: now });
    }
  }

  /** Starts one Position child and counts it as open. */
  async function startPosition(
    positionId: string,
    entry: {
      market: string;
      entryPrice: string;
      entryVolume: string;
      atr: number | null;
      entryReasons: string[];
      marketMinTotal: string;
      /** Coins already on the account that the position takes over instead of buying (an orphan). */
      adopt?: PositionRequest['adopt'];
    },
    riskConfig: RiskConfig,
  ) {
    await startChild(positionWorkflow, {
      workflowId: positionId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [
        {
          sessionId,
          sessionWorkflowId: sessionWorkflowId(sessionId),
          positionId,
          mode: config.mode,
          market: entry.market,
          entryPrice: entry.entryPrice,
          entryVolume: entry.entryVolume,
          atr: entry.atr,
          entryReasons: entry.entryReasons,
          exit: riskConfig.exit,
          order: config.order,
          marketMinTotal: entry.marketMinTotal,
          entryTimeframe: entryTimeframeOf(config),
          ...(entry.adopt && { adopt: entry.adopt }),
        },
      ],
    });
    state.open[positionId] = { market: entry.market };
  }

  /** The entry pipeline before ONE_DECISION_PATH, for executions that started with it. */
  async function decideBeforeOneDecisionPath(ev: EvaluationResult, now: number, riskConfig: RiskConfig) {
    state.risk = onEquity(state.risk, ev.account.equityKrw, now, riskConfig);
    if (ev.btcPrice) state.risk = onBtcPrice(state.risk, ev.btcPrice, now, riskConfig);
    const decisions: DecisionView[] = [...ev.skipped];
    await signalStrategyExits(ev, now, decisions);
    let exposure = new Decimal(ev.account.exposureKrw);
    let free = new Decimal(ev.account.freeKrw);
    // Each market decides once per bar, as in a backtest: a bar an earlier evaluation judged (while the
    // market was held, or an entry was blocked by a limit) gives no entry later. Not so before this patch.
    const judged = state.judgedBars ?? {};
    const oncePerBar = patched(DECIDE_AT_BAR_CLOSE);
    if (oncePerBar) state.judgedBars = { ...judged, ...(ev.bars ?? {}) };
    for (const c of ev.candidates) {
      if (state.emergency || pendingEmergency) break;
      if (oncePerBar && c.barTs !== undefined && c.barTs <= (judged[c.market] ?? Number.NEGATIVE_INFINITY)) continue;
      const check = checkEntry(state.risk, { market: c.market, correlations: c.correlations }, riskConfig, now);
      if (!check.allowed) {
        decisions.push({
          market: c.market,
          action: 'skip',
          score: c.score,
          reasons: [...c.reasons, check.reason],
          ts: now,
        });
        continue;
      }
      const size = sizeEntry({
        market: c.market,
        equityKrw: ev.account.equityKrw,
        freeKrw: free.toString(),
        price: c.entryPrice,
        atr: c.atr ?? undefined,
        rules: { minTotal: c.minTotal, feeRate: c.feeRate },
        exposureKrw: exposure.toString(),
        coinExposureKrw: ev.account.coinExposureKrw[c.market] ?? '0',
        config: riskConfig,
      });
      if (!size.ok) {
        decisions.push({
          market: c.market,
          action: 'skip',
          score: c.score,
          reasons: [...c.reasons, size.reason],
          ts: now,
        });
        continue;
      }
      const n = (state.positionSeq[c.market] ?? 0) + 1;
      state.positionSeq[c.market] = n;
      const positionId = positionWorkflowId(sessionId, c.market, n);
      await startPosition(
        positionId,
        {
          market: c.market,
          entryPrice: size.price,
          entryVolume: size.volume,
          atr: c.atr,
          entryReasons: c.reasons,
          marketMinTotal: c.minTotal,
        },
        riskConfig,
      );
      state.risk = onFill(state.risk, { positionId, market: c.market, side: 'bid', totalKrw: size.totalKrw, ts: now });
      exposure = exposure.plus(size.lockedKrw);
      free = free.minus(size.lockedKrw);
      decisions.push({ market: c.market, action: 'entry', score: c.score, reasons: c.reasons, ts: now });
    }
    state.lastDecisions = decisions.slice(-20);
    if (decisions.length) await acts.recordDecisions({ sessionId, decisions, inputs: ev.inputs });
  }
}
