// Message definitions and shared shapes of the trading workflows; the API imports these, never retypes them.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Timeframe } from '../core/market/timeframes';
import type { SessionConfig, TradingMode } from '../core/session/config';

// ----- Order -----------------------------------------------------------------------------------

export type OrderSide = 'bid' | 'ask';

export interface OrderRequest {
  sessionId: string;
  positionId: string | null;
  mode: TradingMode;
  market: string;
  side: OrderSide;
  /** limit: price + volume; price (market buy): price = KRW to spend; market (sell): volume. */
  ordType: 'limit' | 'price' | 'market';
  price?: string;
  volume?: string;
  timeoutSec: number;
  fallbackToMarket: boolean;
  maxSlippagePct: number;
  /** Smallest total worth a fallback order, KRW. */
  minTotalKrw: string;
  /**
   * An order not placed by then is not placed at all (epoch ms). Only entries have one: an exit keeps
   * trying until the coins are sold.
   */
  notAfterTs?: number;
  purpose: 'entry' | 'exit';
  reason: string;
}

export type OrderOutcome = 'filled' | 'partially_filled' | 'unfilled' | 'rejected';

/** Failure types the order activities raise (Temporal `ApplicationFailure.type`), one name each. */
export const ORDER_FAILURE = {
  /** The identifier was used by an earlier attempt that placed nothing: the next attempt takes a new one. */
  identifierBurned: 'IdentifierBurned',
  /** The order's time passed before it could be placed; nothing was placed. */
  staleOrder: 'StaleOrder',
  /** The exchange refused the order (its `error.name` travels in the failure's details). */
  orderRejected: 'OrderRejected',
} as const;

export interface OrderResult {
  orderId: string;
  outcome: OrderOutcome;
  executedVolume: string;
  /** KRW paid (bid) or received (ask) before fees. */
  funds: string;
  avgPrice: string | null;
  paidFee: string;
  exchangeUuids: string[];
  reason?: string;
  /** The exchange's `error.name` when the order was rejected (e.g. `market_offline`). */
  rejectedName?: string;
}

/** The exchange's view of one order, normalised (decimals as strings). */
export interface ExchangeOrderView {
  uuid: string;
  identifier: string | null;
  market: string;
  side: OrderSide;
  ordType: string;
  state: 'wait' | 'watch' | 'done' | 'cancel';
  price: string | null;
  volume: string | null;
  remainingVolume: string;
  executedVolume: string;
  executedFunds: string;
  paidFee: string;
  tradesCount: number;
}

export interface OrderStatus {
  phase: 'submitting' | 'waiting' | 'cancelling' | 'fallback' | 'done';
  submitSeq: number;
  current: ExchangeOrderView | null;
  result: OrderResult | null;
}

/** A hint from the private stream that an order changed; the workflow re-reads the exchange. */
export const orderChangedSignal = defineSignal<[{ uuid: string; state: string }]>('orderChanged');
/** Cancel the rest now (emergency halt of an entry). */
export const cancelOrderSignal = defineSignal<[{ reason: string }]>('cancelOrder');
export const orderStatusQuery = defineQuery<OrderStatus>('status');

// ----- Position --------------------------------------------------------------------------------

export interface PositionRequest {
  sessionId: string;
  sessionWorkflowId: string;
  positionId: string;
  mode: TradingMode;
  market: string;
  entryPrice: string;
  entryVolume: string;
  atr: number | null;
  entryReasons: string[];
  /** Exit settings (core/risk ExitConfig) and order settings, fixed at entry. */
  exit: Record<string, unknown>;
  order: SessionConfig['order'];
  marketMinTotal: string;
  /** The strategy's entry timeframe: the guard shows the exit plan each closed bar of it (blow-off, ATR). */
  entryTimeframe?: Timeframe;
  /**
   * Coins already on the account that no position held (a reconciliation orphan): the position takes
   * them over at their average buy price instead of buying; `entryPrice`/`entryVolume` are ignored.
   */
  adopt?: { volume: string; avgBuyPrice: string };
}

export type PositionPhase = 'entering' | 'open' | 'exiting' | 'closed';

export interface PositionStatus {
  positionId: string;
  market: string;
  phase: PositionPhase;
  volume: string;
  remainingVolume: string;
  entryPrice: string | null;
  realizedPnl: string;
  fees: string;
  exitPlan: unknown;
  exitReason: string | null;
}

export interface PositionClosed {
  positionId: string;
  market: string;
  realizedPnl: string;
  fees: string;
  entryFunds: string;
  exitReason: string;
  closedTs: number;
}

export const exitPositionSignal = defineSignal<[{ reason: string }]>('exitPosition');
export const haltPositionSignal = defineSignal<[{ reason: string }]>('haltPosition');
export const positionStatusQuery = defineQuery<PositionStatus>('status');

// ----- Session ---------------------------------------------------------------------------------

export type SessionRunStatus = 'starting' | 'running' | 'paused' | 'halted' | 'stopped';
export type EmergencyMode = 'halt' | 'flatten';

export interface DecisionView {
  market: string;
  action: 'entry' | 'exit' | 'skip';
  score: number | null;
  reasons: string[];
  ts: number;
}

export interface SessionStatus {
  sessionId: string;
  status: SessionRunStatus;
  paused: boolean;
  halted: boolean;
  emergency: EmergencyMode | null;
  openPositions: { positionId: string; market: string }[];
  closedPositions: number;
  lastDecisions: DecisionView[];
  risk: unknown;
  evaluations: number;
  lastEvaluationTs: number | null;
  config: SessionConfig;
  runsSoFar: number;
}

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const emergencyStopSignal = defineSignal<[{ mode: EmergencyMode; reason: string }]>('emergencyStop');
export const positionClosedSignal = defineSignal<[PositionClosed]>('positionClosed');
/** Why a config update was made, when a job (not a person) made it: stored with the config history row. */
export interface ConfigChangeNote {
  /** e.g. 'retune-applied'; default 'updateConfig'. */
  reason: string;
  evidence?: Record<string, unknown>;
}
export const updateConfigUpdate = defineUpdate<SessionConfig, [Record<string, unknown>, ConfigChangeNote?]>(
  'updateConfig',
);
export const sessionStatusQuery = defineQuery<SessionStatus>('status');
