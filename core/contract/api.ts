// What the API's routes answer, as one set of types: the routes declare their results with these,
// and the dashboard reads them through `Wire<...>` (what JSON makes of them). Types only: nothing here
// runs, so importing it never pulls server code into the dashboard's bundle.

import type {
  Decision as DecisionRow,
  Fill as FillRow,
  Order as OrderRow,
  Position as PositionRow,
  RiskEvent as RiskEventRow,
  Session as SessionRow,
} from '../../prisma/generated/browser';
import type { ExitPlan, Halt, RiskConfig, RiskState } from '../risk/types';
import type { OrderConfig, SessionConfig, TradingMode } from '../session/config';
import type { ConfigFieldChange } from '../session/config-change';
import type { SessionStatus } from './sessions';

/**
 * What `JSON.stringify` makes of a value: dates and decimals become strings (through their `toJSON`),
 * objects and arrays keep their shape. The dashboard sees every response through this.
 */
export type Wire<T> = T extends { toJSON(): infer R }
  ? R
  : T extends (infer E)[]
    ? Wire<E>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** A session as stored; its config is the validated SessionConfig it was started with. */
export type SessionBody = Omit<SessionRow, 'config'> & { config: SessionConfig };

/** The session workflow's status query, with its risk memory typed. */
export type SessionLiveBody = Omit<SessionStatus, 'risk'> & { risk: RiskState };

/** The session's risk at a glance: the account's value now and the limits' state (KRW as decimal strings). */
export interface SessionRiskBody {
  /** The account on the session's exchange now; null when the exchange did not answer (see `accountError`). */
  equityKrw: string | null;
  freeKrw: string | null;
  accountError: string | null;
  /** Equity when the KST day began (the base of the daily loss limit); null before the first valuation today. */
  dayOpenEquityKrw: string | null;
  /** Realised P&L of the session in the current KST day. */
  todayRealizedPnlKrw: string;
  /** The daily loss limit in KRW and how much of it is left (0 once hit); null without today's opening equity. */
  dailyLossLimitKrw: string | null;
  lossHeadroomKrw: string | null;
  openPositions: number;
  /** Halts that need a person to lift (drawdown, manual). */
  halts: Halt[];
  /** Entries are halted until then after a BTC crash (epoch ms); null when not halted. */
  volatilityHaltUntil: number | null;
}

export type SessionDetailBody = SessionBody & {
  live: SessionLiveBody | null;
  liveError: string | null;
  risk: SessionRiskBody | null;
};

/** A position; its exit plan is `{}` until the entry fills, then core/risk's ExitPlan. */
export type PositionBody = Omit<PositionRow, 'exitPlan'> & { exitPlan: Partial<ExitPlan> };
export type OrderBody = OrderRow & { fills: FillRow[] };
/** A decision; `reasons` is the list of sentences the session recorded. */
export type DecisionBody = Omit<DecisionRow, 'reasons'> & { reasons: string[] };
export type RiskEventBody = RiskEventRow;

/** What the New session form starts from: the server's mode, whether live is possible, the defaults. */
export interface SessionSetupBody {
  defaultMode: TradingMode;
  /** Live needs ALLOW_LIVE=1 on the server and an Upbit key; `liveBlocked` says which is missing (and the reason in words). */
  liveAllowed: boolean;
  liveBlocked: 'live-off' | 'no-key' | null;
  liveBlockedReason: string | null;
  strategy: string;
  defaults: {
    universeSize: number;
    loopIntervalSec: number;
    order: OrderConfig;
    /** The risk limits with the strategy's defaults (the time exit counts its entry-timeframe bars). */
    risk: RiskConfig;
  };
}

/** What a session would do before it starts: its config as it will run and the money it may put at risk. */
export interface SessionPreviewBody {
  config: SessionConfig;
  risk: RiskConfig;
  /** The account's equity on the session's exchange now (null when the exchange did not answer). */
  equityKrw: string | null;
  accountError: string | null;
  /** KRW lost at the stop of one trade, fees included (riskPerTradePct of equity). */
  riskPerTradeKrw: string | null;
  /** The most one entry order may spend: the coin-weight cap, and the absolute cap when set. */
  maxOrderKrw: string | null;
  maxOpenPositions: number;
  /** KRW lost if every open position at once hits its stop. */
  riskAllStopsKrw: string | null;
  /** The most the session holds in coins at once (total exposure, and the capital cap when set). */
  maxExposureKrw: string | null;
  /** Realised loss in a KST day that halts entries until the next day. */
  dailyLossLimitKrw: string | null;
}

/** The account of a mode at one moment (KRW as decimal strings). */
export interface AccountFiguresBody {
  equityKrw: string;
  freeKrw: string;
  /** Priced coins at market minus their average buy price (fees of a sale not counted). */
  unrealizedPnlKrw: string;
  /** Realised PnL (after fees) of the mode's positions closed since the KST day began. */
  todayRealizedPnlKrw: string;
  /** Coins held with no KRW market: left out of the figures, by name. */
  unpriced: Array<{ currency: string; volume: string }>;
  /** When it was valued (epoch ms). */
  takenAt: number;
}

/** A running session's daily loss limit and how much of it is left. */
export interface SessionHeadroomBody {
  id: string;
  name: string;
  status: string;
  dailyLossLimitKrw: string | null;
  lossHeadroomKrw: string | null;
  todayRealizedPnlKrw: string | null;
  /** Why the figures are missing (the workflow did not answer). */
  error: string | null;
}

/** GET /api/overview: the account's figures, its recorded equity curve and each running session's loss headroom. */
export interface OverviewBody {
  mode: TradingMode;
  /** The newest snapshot the account-snapshot schedule recorded (every minute); null before the first. */
  figures: AccountFiguresBody | null;
  /** Equity recorded every minute by the account-snapshot schedule, oldest first. */
  curve: Array<{ ts: number; equityKrw: string }>;
  sessions: SessionHeadroomBody[];
}

/** A position not yet closed, valued at its market's last price (GET /api/holdings). */
export type HoldingBody = PositionBody & {
  sessionName: string;
  mode: TradingMode;
  /** The market's last trade price; null when the exchange did not answer (see `priceError`). */
  currentPrice: string | null;
  /** (price - entry price) × remaining volume, fees of the sale not counted; null without both prices. */
  unrealizedPnlKrw: string | null;
  unrealizedPnlPct: string | null;
  priceError: string | null;
};

/** The decision that made an order: its score, reasons and the evaluation's inputs (factor scores, indicators). */
export type DecisionSnapshotBody = Omit<DecisionBody, 'snapshot'> & {
  snapshot: { factors?: Record<string, number> } & Record<string, number | string | boolean | null | object>;
};

/** A fill with its order and the decision behind it (GET /api/fills); no decision for exits by the exit plan. */
export type FillWithDecisionBody = FillRow & {
  order: Pick<OrderRow, 'id' | 'sessionId' | 'positionId' | 'market' | 'side' | 'ordType' | 'createdAt'>;
  decision: DecisionSnapshotBody | null;
};

/** POST /api/sessions/:id/config/preview: the config a change would give the running session, and what differs. */
export interface ConfigPreviewBody {
  config: SessionConfig;
  changes: ConfigFieldChange[];
}

/** GET /api/sessions/:id/config-changes: each config the session ran with, who set it and what it changed. */
export interface ConfigChangeBody {
  id: string;
  createdAt: Date;
  /** 'created', 'updateConfig', 'retune-applied', ... */
  reason: string;
  /** The user (from the audit trail), or null when none is recorded (a re-tuning applied by itself). */
  actor: string | null;
  /** What differs from the config before it (empty for the first). */
  changes: ConfigFieldChange[];
}

/** `GET /api/backtests/:id/candles`: a market's stored candles over a run's range, merged to fit a chart. */
export interface BacktestCandlesBody {
  market: string;
  timeframe: string;
  /** How many stored bars each candle merges (1: as stored). */
  barsPerCandle: number;
  candles: { ts: number; open: number; high: number; low: number; close: number; volume: number }[];
}
