// Shapes of the API's JSON responses. Decimals (prices, volumes, KRW amounts) arrive as strings
// so that no precision is lost on the way; the dashboard only formats them for display.

export type TradingMode = 'sim' | 'paper' | 'live';
export type SessionStatus = 'starting' | 'running' | 'paused' | 'halted' | 'stopped' | 'failed';
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

export interface Session {
  id: string;
  name: string;
  mode: TradingMode;
  strategy: string;
  status: SessionStatus;
  config: Record<string, unknown>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface RiskState {
  equityKrw: string;
  dailyPnlKrw: string;
  openPositions: number;
  halts: string[];
}

export interface LiveSessionState {
  status: SessionStatus;
  paused: boolean;
  halted: boolean;
  positions: PositionView[];
  openOrders: OrderView[];
  decisions: Decision[];
  risk: RiskState;
}

export interface SessionDetail extends Session {
  live?: LiveSessionState;
}

export interface PositionView {
  id: string;
  sessionId: string;
  market: string;
  status: 'open' | 'closed' | string;
  entryPrice: string | null;
  /** Average price the exits sold at; null until something is sold. */
  avgExitPrice: string | null;
  volume: string;
  remainingVolume: string;
  realizedPnl: string | null;
  fees: string | null;
  exitPlan: unknown;
  exitReason: string | null;
  openedAt: Timestamp;
  closedAt: Timestamp | null;
}

export interface Fill {
  tradeUuid: string;
  price: string;
  volume: string;
  fee: string;
  createdAt: Timestamp;
}

export interface OrderView {
  id: string;
  sessionId: string;
  positionId: string | null;
  market: string;
  side: 'bid' | 'ask';
  ordType: string;
  price: string | null;
  volume: string | null;
  state: string;
  executedVolume: string;
  avgPrice: string | null;
  paidFee: string;
  identifier: string;
  exchangeUuid: string | null;
  reason: string | null;
  createdAt: Timestamp;
  fills: Fill[];
}

export interface AccountBalance {
  currency: string;
  balance: string;
  locked: string;
  avgBuyPrice: string;
}

export interface Decision {
  id: string;
  sessionId: string;
  market: string;
  action: string;
  score: number | string | null;
  reasons: string[];
  snapshot: Record<string, unknown> | null;
  createdAt: Timestamp;
}

export interface RiskEvent {
  id: string;
  sessionId: string | null;
  kind: string;
  severity: string;
  message: string;
  createdAt: Timestamp;
}

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
  error?: string;
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
