// Shapes of the API's JSON responses. Decimals (prices, volumes, KRW amounts) arrive as strings
// so that no precision is lost on the way; the dashboard only formats them for display. The trading
// views come from the API's own types (contract/api.ts); the rest are still written out here.
import type {
  AccountFiguresBody,
  BacktestCandlesBody,
  ConfigChangeBody,
  ConfigPreviewBody,
  DecisionBody,
  FillWithDecisionBody,
  HoldingBody,
  OrderBody,
  OverviewBody,
  PositionBody,
  RiskEventBody,
  SessionBody,
  SessionDetailBody,
  SessionLiveBody,
  SessionPreviewBody,
  SessionRiskBody,
  SessionSetupBody,
  Wire,
} from '../../../core/contract/api';
import type { UniverseRow } from '../../../core/strategy/universe';
import type { SessionRunStatus } from '../../../workflows/definitions';

export type { Wire };

export type TradingMode = 'sim' | 'paper' | 'live';
/** A session's stored status (the workflow's run status, or `failed` when the workflow ended badly). */
export type SessionStatus = SessionRunStatus | 'failed';
export type EmergencyStopMode = 'halt' | 'flatten';

/** Timestamps are ISO strings or epoch milliseconds; `new Date(ts)` reads both. */
export type Timestamp = string | number;

export interface Health {
  status: 'ok' | 'degraded';
  temporal: string;
  db: string;
  exchange: string;
  mode: TradingMode;
  /** Base URL of the Temporal Web UI, when the server knows it. */
  temporalUi?: string;
}

/** The API's own response shapes (contract/api.ts), as JSON delivers them. */
export type BacktestCandles = Wire<BacktestCandlesBody>;
export type Session = Wire<SessionBody>;
export type SessionDetail = Wire<SessionDetailBody>;
export type LiveSessionState = Wire<SessionLiveBody>;
export type SessionRisk = Wire<SessionRiskBody>;
export type PositionView = Wire<PositionBody>;
export type OrderView = Wire<OrderBody>;
export type Fill = OrderView['fills'][number];
export type SessionSetup = Wire<SessionSetupBody>;
export type SessionPreview = Wire<SessionPreviewBody>;
export type Overview = Wire<OverviewBody>;
export type ConfigPreview = Wire<ConfigPreviewBody>;
export type ConfigChange = Wire<ConfigChangeBody>;

/** GET /api/users (admin only). */
export interface UserView {
  username: string;
  role: 'admin' | 'viewer';
  createdAt: string;
}

/** GET /api/alert-channels: the target with its secrets redacted by the server. */
export interface AlertChannel {
  id: string;
  kind: 'telegram' | 'slack' | 'discord';
  target: Record<string, unknown>;
  enabled: boolean;
  minSeverity: 'info' | 'warn' | 'critical';
  createdAt: string;
}
export type Holding = Wire<HoldingBody>;
export type FillWithDecision = Wire<FillWithDecisionBody>;
export type AccountFigures = Wire<AccountFiguresBody>;

/** GET /api/universe: the newest screened markets, most liquid first. */
export interface Universe {
  mode: TradingMode;
  createdAt: number;
  selected: UniverseRow[];
}

export interface AccountBalance {
  currency: string;
  balance: string;
  locked: string;
  avgBuyPrice: string;
}

export type Decision = Wire<DecisionBody>;
export type RiskEvent = Wire<RiskEventBody>;

export interface MarketInfo {
  market: string;
  koreanName: string;
  englishName: string;
  warning: boolean | string | null;
}

export type Timeframe = 'minute1' | 'minute5' | 'minute15' | 'minute60' | 'minute240' | 'day';
export const TIMEFRAMES: Timeframe[] = ['minute1', 'minute5', 'minute15', 'minute60', 'minute240', 'day'];

export interface Candle {
  ts: Timestamp;
  open: number | string;
  high: number | string;
  low: number | string;
  close: number | string;
  volume: number | string;
}

export interface ParamSpec {
  type: 'number' | 'integer' | 'boolean';
  minimum?: number;
  maximum?: number;
  step?: number;
  default?: number | boolean;
  description?: string;
}

export interface ParamSchema {
  type: 'object';
  properties: Record<string, ParamSpec>;
}

export interface StrategyInfo {
  id: string;
  name: string;
  description: string;
  params: ParamSchema;
}

export type BacktestKind = 'backtest' | 'optimize' | 'walkforward' | 'montecarlo';
export const BACKTEST_KINDS: BacktestKind[] = ['backtest', 'optimize', 'walkforward', 'montecarlo'];
export type OptimizeMethod = 'grid' | 'random' | 'tpe';
export type ParamValues = Record<string, number | boolean>;

export interface BacktestRequest {
  kind: BacktestKind;
  strategy: string;
  params?: ParamValues;
  markets: string[];
  timeframe: Timeframe;
  from: string;
  to: string;
  optimize?: { method: OptimizeMethod; budget: number; objective: string };
}

export type BacktestStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface BacktestTrade {
  market: string;
  entryTs: Timestamp;
  exitTs: Timestamp;
  entryPrice: number | string;
  exitPrice: number | string;
  volume: number | string;
  pnl: number | string;
  entryReason: string;
  exitReason: string;
}

export interface BacktestRankingRow {
  params: ParamValues;
  objective: number;
  metrics: Record<string, number>;
}

export interface BacktestRun {
  id: string;
  kind: BacktestKind;
  status: BacktestStatus;
  progress: number;
  params: ParamValues | null;
  strategy?: string;
  markets?: string[];
  timeframe?: Timeframe;
  createdAt?: Timestamp;
  metrics?: Record<string, number>;
  equity?: { ts: Timestamp; equity: number | string; drawdown: number | string }[];
  trades?: BacktestTrade[];
  ranking?: BacktestRankingRow[];
  bands?: Record<string, unknown>;
  /** Walk-forward runs: each fold's windows, the parameters its search chose, and how they did on the test window. */
  folds?: BacktestFold[];
  error?: string;
}

export interface BacktestFold {
  index: number;
  train: { from: number; to: number };
  test: { from: number; to: number };
  bestParams: ParamValues;
  trainScore: number | null;
  testMetrics: Record<string, number>;
}

/** GET /api/sessions/:id/retune-proposals: a scheduled re-tuning's winner and the evidence it beat the running set. */
export interface RetuneProposal {
  id: string;
  status: 'proposed' | 'applied' | 'superseded' | 'rejected';
  params: Record<string, number | boolean>;
  current: Record<string, number | boolean>;
  evidence: {
    runId: string;
    objective: string;
    range: { from: number; to: number };
    outOfSample: { from: number; to: number };
    current: { score: number | null; metrics: Record<string, number | null> };
    candidate: { score: number | null; metrics: Record<string, number | null> };
  };
  createdAt: Timestamp;
  decidedBy: string | null;
}
