// The TradingSession's evaluation: one evaluateSession activity, then its strategy exits signalled to the positions
// held and its entries decided (core/decision, the step the backtester runs) and started as Position children.
import { ActivityFailure, getExternalWorkflowHandle, log, patched, proxyActivities } from '@temporalio/workflow';
import Decimal from 'decimal.js';
import type { Activities } from '../activities';
import { checkEntry, onBtcPrice, onEquity, onFill, onPositionClosed, sizeEntry } from '../core/risk';
import type { RiskConfig } from '../core/risk/types';
import { type DecisionView, exitPositionSignal } from './definitions';
import { positionWorkflowId } from './ids';
import { acts, riskConfigOf, type SessionContext } from './session-context';
import { decideSessionEntries } from './session-decision';
import { placeEntryThenStart, positionRequest, startPosition } from './session-positions';

/** Patch: evaluate when a bar of the entry timeframe closes and decide once per market and bar. */
export const DECIDE_AT_BAR_CLOSE = 'decide-at-bar-close';
/** Patch: entries decided by core/decision's decideEntries, the step the backtester runs. */
const ONE_DECISION_PATH = 'one-decision-path';
/**
 * Patch: an evaluation's strategy-exit signals and Position starts go out together in one workflow task, instead
 * of one task (and one server round trip) per signal and per position.
 */
const START_POSITIONS_TOGETHER = 'start-positions-together';
/**
 * Patch: the session places each entry's first order itself (placeEntryThenStart: the entering row and the submit, one
 * local activity in the task that decided it), then starts its Position with the order placed. The order no longer
 * waits for the child's start and first task. Only with START_POSITIONS_TOGETHER.
 */
const ENTRY_SUBMITTED_BY_SESSION = 'entry-submitted-by-session';

// An evaluation gives up after about a minute; the loop records it and tries at the next interval.
const evaluation = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});

type EvaluationResult = Awaited<ReturnType<Activities['evaluateSession']>>;

/** Waits for every one (each position started is counted open), then throws the first failure, if any. */
async function allSettledOrThrow(work: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** One evaluation; a failed evaluation activity is recorded and the loop goes on (a later patch than the loop). */
export async function evaluate(ctx: SessionContext) {
  if (patched('evaluation-failure-is-not-fatal')) {
    try {
      await evaluateOnce(ctx);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      await acts.recordRiskEvent({
        sessionId: ctx.sessionId,
        kind: 'evaluation_failed',
        severity: 'warn',
        message: `evaluation failed, retrying at the next interval: ${err.cause?.message ?? err.message}`,
      });
    }
  } else {
    await evaluateOnce(ctx);
  }
}

async function evaluateOnce(ctx: SessionContext) {
  const { sessionId, config, state } = ctx;
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
  if (!patched(ONE_DECISION_PATH)) return decideBeforeOneDecisionPath(ctx, ev, now, riskConfig);
  const decisions: DecisionView[] = [...ev.skipped];
  const together = (ev.exits?.length || ev.candidates.length) && patched(START_POSITIONS_TOGETHER);
  // Together: the exit signals are sent with the position starts below and awaited with them.
  const exitsSent = together ? sendStrategyExits(ctx, ev, now, decisions) : [];
  if (!together) await signalStrategyExits(ctx, ev, now, decisions);
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
  const submitFirst = together && decided.entries.length > 0 && patched(ENTRY_SUBMITTED_BY_SESSION);
  for (const [i, entry] of decided.entries.entries()) {
    if (state.emergency || ctx.pendingEmergency) {
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
    const position = {
      market: entry.market,
      entryPrice: entry.price,
      entryVolume: entry.volume,
      atr: entry.atr,
      entryReasons: entry.reasons,
      marketMinTotal: entry.minTotal,
    };
    const start = submitFirst
      ? placeEntryThenStart(ctx, positionRequest(ctx, entry.positionId, position, riskConfig))
      : startPosition(ctx, entry.positionId, position, riskConfig);
    if (together) starts.push(start);
    else await start;
    decisions.push({ market: entry.market, action: 'entry', score: entry.score, reasons: entry.reasons, ts: now });
  }
  if (together) await allSettledOrThrow([...exitsSent, ...starts]);
  state.lastDecisions = decisions.slice(-20);
  if (decisions.length) await acts.recordDecisions({ sessionId, decisions, inputs: ev.inputs });
}

/** The strategy exit signals of signalStrategyExits, all sent at once; the decisions are noted at once. */
function sendStrategyExits(
  ctx: SessionContext,
  ev: EvaluationResult,
  now: number,
  decisions: DecisionView[],
): Promise<void>[] {
  const sent: Promise<void>[] = [];
  for (const exit of ev.exits ?? []) {
    for (const [positionId, p] of Object.entries(ctx.state.open)) {
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
async function signalStrategyExits(ctx: SessionContext, ev: EvaluationResult, now: number, decisions: DecisionView[]) {
  for (const exit of ev.exits ?? []) {
    for (const [positionId, p] of Object.entries(ctx.state.open)) {
      if (p.market !== exit.market) continue;
      await getExternalWorkflowHandle(positionId).signal(exitPositionSignal, {
        reason: `strategy exit: ${exit.reasons.join('; ')}`,
      });
    }
    decisions.push({ market: exit.market, action: 'exit', score: exit.score, reasons: exit.reasons, ts: now });
  }
}

/** The entry pipeline before ONE_DECISION_PATH, for executions that started with it. */
async function decideBeforeOneDecisionPath(
  ctx: SessionContext,
  ev: EvaluationResult,
  now: number,
  riskConfig: RiskConfig,
) {
  const { sessionId, state } = ctx;
  state.risk = onEquity(state.risk, ev.account.equityKrw, now, riskConfig);
  if (ev.btcPrice) state.risk = onBtcPrice(state.risk, ev.btcPrice, now, riskConfig);
  const decisions: DecisionView[] = [...ev.skipped];
  await signalStrategyExits(ctx, ev, now, decisions);
  let exposure = new Decimal(ev.account.exposureKrw);
  let free = new Decimal(ev.account.freeKrw);
  // Each market decides once per bar, as in a backtest: a bar an earlier evaluation judged (while the
  // market was held, or an entry was blocked by a limit) gives no entry later. Not so before this patch.
  const judged = state.judgedBars ?? {};
  const oncePerBar = patched(DECIDE_AT_BAR_CLOSE);
  if (oncePerBar) state.judgedBars = { ...judged, ...(ev.bars ?? {}) };
  for (const c of ev.candidates) {
    if (state.emergency || ctx.pendingEmergency) break;
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
      ctx,
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
