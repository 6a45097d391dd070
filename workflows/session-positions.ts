// The TradingSession's Position children: starting one (counted open at once), an orphan adopted, a close
// reported, and the watch that drops positions which ended without reporting their close.
import { isCancellation, log, ParentClosePolicy, proxyLocalActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { onPositionClosed } from '../core/risk';
import type { RiskConfig } from '../core/risk/types';
import { entryTimeframeOf } from '../core/session/config';
import type { ExchangeOrderView, PositionClosed, PositionRequest } from './definitions';
import { positionWorkflowId, sessionWorkflowId } from './ids';
import { firstSubmitInput } from './order-lifecycle';
import { positionWorkflow } from './position';
import { enteringRecord, entryOrderIdOf, entryOrderRequest } from './position-entry';
import { acts, riskConfigOf, type SessionContext } from './session-context';

/**
 * Patch: the session checks its open Position children about once a minute. One that ended without
 * reporting its close (failed, terminated, or its close signal lost) is dropped from the open set: a
 * completed one counts with its own result; any other raises a critical event (its coins are then the
 * reconciliation's orphans). A session waiting for its positions after an emergency stop checks too.
 */
export const WATCH_POSITIONS = 'session-watches-positions';
export const WATCH_POSITIONS_MS = 60_000;

/** A position reported its close: it leaves the open set and its PnL reaches the risk state. */
export function onClosed(ctx: SessionContext, closed: PositionClosed) {
  const { state } = ctx;
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
export async function watchPositions(ctx: SessionContext) {
  const { state } = ctx;
  const open = Object.keys(state.open);
  if (!open.length || Date.now() - ctx.lastWatchTs < WATCH_POSITIONS_MS) return;
  ctx.lastWatchTs = Date.now();
  for (const ended of await acts.positionsEnded({ positionIds: open })) {
    const market = state.open[ended.positionId]?.market;
    if (!market) continue;
    const r = ended.result;
    if (r && r.phase === 'closed') {
      onClosed(ctx, {
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
      sessionId: ctx.sessionId,
      kind: 'position_lost',
      severity: 'critical',
      message: `${market}: position ${ended.positionId} ended (${ended.execution}) without closing; its coins are left to reconciliation`,
      details: { positionId: ended.positionId, execution: ended.execution },
    });
  }
}

/** What a Position child is started with. */
type PositionEntry = {
  market: string;
  entryPrice: string;
  entryVolume: string;
  atr: number | null;
  entryReasons: string[];
  marketMinTotal: string;
  /** Coins already on the account that the position takes over instead of buying (an orphan). */
  adopt?: PositionRequest['adopt'];
};

export function positionRequest(
  ctx: SessionContext,
  positionId: string,
  entry: PositionEntry,
  riskConfig: RiskConfig,
): PositionRequest {
  const { sessionId, config } = ctx;
  return {
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
  };
}

/** Starts one Position child and counts it as open. */
export async function startPosition(
  ctx: SessionContext,
  positionId: string,
  entry: PositionEntry,
  riskConfig: RiskConfig,
) {
  await startPositionWith(ctx, positionRequest(ctx, positionId, entry, riskConfig));
}

async function startPositionWith(ctx: SessionContext, req: PositionRequest) {
  await startChild(positionWorkflow, {
    workflowId: req.positionId,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    args: [req],
  });
  ctx.state.open[req.positionId] = { market: req.market };
}

/**
 * The session's one try at an entry's first order, in its own workflow task: the position's entering row, then the
 * order (the position's own placeEntry local activity, same identifier `ord-<position>-1-s1`). Bounded, one attempt,
 * so the session's loop never waits out an exchange outage here.
 */
const firstEntrySubmit = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 1 },
});

/**
 * Places the entry's first order, then starts its Position (`req`, built once: a config update while the order goes
 * out does not change what the position follows it with) with the order as the exchange took it. This saves the
 * child's start and first task on the way from the signal to the order. When the try did not get the order placed
 * for sure (refused, timed out, failed), the position starts without it and places its entry itself as before; the
 * exchange takes an identifier once, so its submit of the same identifier adopts an order this try placed after all.
 * Once the order was tried the position starts whatever happens meanwhile (an emergency stop included): it owns what
 * the order bought.
 */
export async function placeEntryThenStart(ctx: SessionContext, req: PositionRequest) {
  const order = firstSubmitInput(entryOrderIdOf(req.positionId), entryOrderRequest(req, Date.now()));
  let entryPlaced: ExchangeOrderView | undefined;
  try {
    entryPlaced = await firstEntrySubmit.placeEntry({ position: enteringRecord(req), order });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('entry not placed by the session; its position places it', {
      positionId: req.positionId,
      error: String((err as Error).cause ?? err),
    });
  }
  await startPositionWith(ctx, entryPlaced ? { ...req, entryPlaced } : req);
}

/** Coins on the account no position held: a Position takes them over with the session's exit plan. */
export async function adoptOrphan(
  ctx: SessionContext,
  orphan: { market: string; volume: string; avgBuyPrice: string },
) {
  const { sessionId, state } = ctx;
  const riskConfig = riskConfigOf(ctx.config);
  const n = (state.positionSeq[orphan.market] ?? 0) + 1;
  state.positionSeq[orphan.market] = n;
  const positionId = positionWorkflowId(sessionId, orphan.market, n);
  await startPosition(
    ctx,
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
