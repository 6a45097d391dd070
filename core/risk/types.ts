// Public shapes of the risk layer. Everything here is plain JSON data: it travels through Temporal
// history, the `risk_events` / `positions` tables and the dashboard unchanged.
// Units: every field ending in `Pct` is a percentage (2 = 2 %); money is KRW as decimal strings.
import type { DecimalInput } from '../market';

/** One rung of the take-profit ladder: sell `fraction` of the ORIGINAL volume at entry x (1 + atPct/100). */
export interface TakeProfitRung {
  atPct: number;
  fraction: number;
}

/** How a position is left. Read by `createExitPlan`; stored in the session config. */
export interface ExitConfig {
  /**
   * 'atr': stop at entry - stopAtrMultiple x ATR; 'pct': stop at entry x (1 - stopPct/100); 'none': no hard stop
   * (the trailing stop, take-profit, blow-off and time exits still apply as configured). Without a stop, sizing
   * counts the whole entry as the amount at risk.
   */
  stopMode: 'atr' | 'pct' | 'none';
  stopAtrMultiple: number;
  stopPct: number;
  /** Fractions of the original volume, in rising order of atPct; the last rung sells the rest. */
  takeProfit: TakeProfitRung[];
  /** After the first rung fills, the stop trails this many ATR below the highest high. 0 = off. */
  trailingAtrMultiple: number;
  /** Sell everything when RSI exceeds this while volume spikes. 0 = off. */
  blowOffRsi: number;
  /** Sell everything after this many bars unless price has gained at least timeExitMinProgressPct. 0 = off. */
  timeExitBars: number;
  timeExitMinProgressPct: number;
  /** Bar length the time exit counts in (ms), normally the strategy's entry timeframe. */
  barMs: number;
}

/** Which trades the edge filter lets through (target must pay for costs several times over). */
export interface EdgeConfig {
  /** Target move >= feeMultiple x (round-trip fee + expected slippage). */
  feeMultiple: number;
  /** Target move >= atrMultiple x ATR (as % of price). 0 = off. */
  atrMultiple: number;
  /** Expected slippage per side, in %. */
  slippagePct: number;
}

/** When bad data keeps the strategy from being asked (the data-quality gate of evaluateMarket). */
export interface DataQualityConfig {
  /**
   * Skip a market's evaluations while a price spike is recent (within the quality window: 60 one-minute bars
   * live, 12 bars of a longer backtest timeframe). false: spikes never skip; gaps, stale and invalid data still do.
   */
  spikeGate: boolean;
  /**
   * Only spikes that moved at least this far from the previous close skip, in % as the skip reason shows the move
   * (|log return| x 100). 0: every spike the feed flags (a move above max(12 x the window's median move,
   * 3 % x (bar minutes)^0.25)).
   */
  spikeMinMovePct: number;
}

export interface RiskConfig {
  /** Equity put at risk per trade: loss at the stop (including round-trip fees) = riskPerTradePct of equity. */
  riskPerTradePct: number;
  /** 0 = off; otherwise the notional is also capped at kellyFraction x Kelly fraction x equity. */
  kellyFraction: number;
  /** Largest share of equity in one coin. */
  maxCoinWeightPct: number;
  /** Largest share of equity in all coins together. */
  maxTotalExposurePct: number;
  /** Absolute cap on one entry order's total, KRW. Absent or 0 = off. */
  maxOrderKrw?: number;
  /** Absolute cap on the KRW the session holds in coins and pending bids at once. Absent or 0 = off. */
  maxCapitalKrw?: number;
  maxOpenPositions: number;
  onePositionPerCoin: boolean;
  maxEntriesPerCoinPerDay: number;
  /** Realised loss of the KST day, as % of that day's opening equity, that halts entries until the next KST day. */
  dailyLossLimitPct: number;
  /** Drawdown from the peak of the last drawdownWindowDays that halts the strategy until resumed by hand. */
  maxDrawdownPct: number;
  drawdownWindowDays: number;
  /** No new entry in a coin for this long after a losing exit in it. */
  cooldownAfterLossMinutes: number;
  /** No entry whose return correlation with an open position exceeds this. 1 = off. */
  maxCorrelation: number;
  /** BTC falling volatilityHaltDropPct within volatilityHaltWindowMinutes halts entries for volatilityHaltMinutes. */
  volatilityHaltDropPct: number;
  volatilityHaltWindowMinutes: number;
  volatilityHaltMinutes: number;
  exit: ExitConfig;
  edge: EdgeConfig;
  dataQuality: DataQualityConfig;
}

export type FieldErrors = string[];

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

// ---------------------------------------------------------------------------------------------
// Sizing

export interface MarketRules {
  /** The market's own `min_total` (orders/chance); the bot minimum is applied on top. */
  minTotal?: DecimalInput;
  /** Fee per side from orders/chance (e.g. '0.0005'); DEFAULT_FEE_RATE when absent. */
  feeRate?: DecimalInput;
}

export interface KellyEstimate {
  /** Share of winning trades, 0..1. */
  winRate: number;
  /** Average win / average loss, > 0. */
  payoffRatio: number;
}

export interface SizeEntryInput {
  market: string;
  equityKrw: DecimalInput;
  freeKrw: DecimalInput;
  /** Intended limit price (rounded down onto the bid grid). */
  price: DecimalInput;
  /** Either an explicit stop price below `price`, or the ATR from which the configured stop is derived. */
  stopPrice?: DecimalInput;
  atr?: DecimalInput;
  rules: MarketRules;
  /** KRW already committed to all open positions and pending bids. */
  exposureKrw: DecimalInput;
  /** KRW already committed to this coin. */
  coinExposureKrw: DecimalInput;
  config: RiskConfig;
  kelly?: KellyEstimate;
}

/** What bound the size: the named clamp that produced the final total. */
export type SizeBound =
  | 'risk'
  | 'kelly'
  | 'coin_weight'
  | 'total_exposure'
  | 'session_capital'
  | 'max_order'
  | 'free_krw'
  | 'max_total';

export type SizeRejection =
  | 'InvalidInput'
  | 'NoStopDistance'
  | 'NoEdge'
  | 'CoinWeightFull'
  | 'ExposureFull'
  | 'CapitalFull'
  | 'InsufficientFunds'
  | 'UnderMinTotal';

export type SizeResult =
  | { ok: true; price: string; volume: string; totalKrw: string; lockedKrw: string; boundBy: SizeBound }
  | { ok: false; code: SizeRejection; reason: string };

// ---------------------------------------------------------------------------------------------
// Account state and limits

export type HaltKind = 'drawdown' | 'manual';

export interface Halt {
  kind: HaltKind;
  sinceTs: number;
  reason: string;
}

export interface OpenPositionRisk {
  market: string;
  /** KRW paid for what is still held (bought total minus the cost share of what was sold). */
  costKrw: string;
  openedTs: number;
}

/**
 * An equity valuation known as the double `approx` within `error` KRW, and as its exact decimal string on demand
 * (a backtest's every-bar valuation: `onEquity` reads the string only when the bound cannot decide).
 */
export interface EquityEstimate {
  readonly approx: number;
  readonly error: number;
  /** The exact figure, read within the decision the estimate was made for. */
  exactKrw(): string;
  /**
   * A function giving the same exact figure at any later time, after the account has moved on: `onEquity` keeps a
   * new peak or day-open row with it and computes the row's string only when something reads it.
   */
  keepExact(): () => string;
}

/** Pure account memory for the limits; updated only by the reducers in limits.ts. */
export interface RiskState {
  /** Highest equity per KST day ('YYYY-MM-DD'), newest last, at most 90 days. */
  equityPeaks: { day: string; peakKrw: string }[];
  /** Equity seen first in each KST day (base of the daily loss limit), newest last, at most 7 days. */
  dayOpenEquity: { day: string; equityKrw: string }[];
  /** Realised PnL per KST day and its lowest running total that day (a loss limit once hit stays hit), newest last, at most 7 days. */
  dailyPnl: { day: string; pnlKrw: string; lowKrw: string }[];
  /** Entries per coin in the current KST day. */
  entries: { day: string; perCoin: Record<string, number> };
  /** Time of the last losing exit per coin. */
  lastLossTs: Record<string, number>;
  /** Open positions by position id. */
  open: Record<string, OpenPositionRisk>;
  /** Halts that need a person (or `clearHalt`) to lift. */
  halts: Halt[];
  /** BTC price per minute over the volatility window: [minuteStartTs, highest, last]. */
  btcMinutes: [number, number, number][];
  /** Entries are halted until this time after a BTC crash (0 = none). */
  volatilityHaltUntil: number;
}

export interface EntryCandidate {
  market: string;
  /** Return correlation of the candidate with each open position's market, where known. */
  correlations?: Record<string, number>;
}

export type EntryCheck = { allowed: true } | { allowed: false; code: EntryRejection; reason: string };

export type EntryRejection =
  | 'Halted'
  | 'VolatilityHalt'
  | 'DailyLossLimit'
  | 'MaxDrawdown'
  | 'MaxOpenPositions'
  | 'PositionOpenInCoin'
  | 'EntriesPerDay'
  | 'CooldownAfterLoss'
  | 'Correlated';

// ---------------------------------------------------------------------------------------------
// Exit plans

export type ExitTriggerKind = 'stop' | 'take_profit' | 'trailing' | 'blow_off' | 'time';

export interface ExitPlanRung {
  /** Price on the ask grid. */
  level: string;
  /** Fraction of the original volume this rung sells (the last rung sells whatever remains). */
  fraction: number;
  done: boolean;
}

/** Pure JSON state of one position's exits; advanced only by `updateExitPlan`. */
export interface ExitPlan {
  market: string;
  entryPrice: string;
  /** Volume bought. */
  volume: string;
  /** Volume still held according to the plan (reconcile real fills with `withRemainingVolume`). */
  remaining: string;
  openedTs: number;
  /** Orders below this total are not placed, so a rung that would leave less sells everything. */
  minTotalKrw: string;
  /** Hard stop on the ask grid; absent when the config says no stop (stopMode 'none'). */
  stop?: string;
  ladder: ExitPlanRung[];
  /**
   * ATR the trailing distance is measured in: the entry's, updated when the caller passes a new one while
   * trailingAtrMultiple > 0 (nothing else reads it).
   */
  atr: string;
  trailingAtrMultiple: number;
  /** Set once the first rung has been taken; only ever rises. */
  trailingStop?: string;
  highest: string;
  blowOffRsi: number;
  /** Time exit: from this time on, sell everything unless price >= progressLevel. 0 = off. */
  timeExitTs: number;
  progressLevel: string;
  done: boolean;
}

export interface ExitObservation {
  /** Last price (for a bar: its close). */
  price: DecimalInput;
  high: DecimalInput;
  low: DecimalInput;
  ts: number;
  rsi?: number;
  volumeSpike?: boolean;
  atr?: DecimalInput;
}

export interface ExitTrigger {
  kind: ExitTriggerKind;
  /** Fraction of the volume held before this trigger to sell, 0 < fraction <= 1. */
  fraction: number;
  /** The same as a volume (8 decimals), never more than held. */
  volume: string;
  reason: string;
  /** Price level that was crossed, when there is one (ask grid). */
  level?: string;
}

export interface ExitUpdate {
  plan: ExitPlan;
  trigger?: ExitTrigger;
}
