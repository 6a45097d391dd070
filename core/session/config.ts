// A trading session's configuration: what the API accepts, the workflow carries and the
// `updateConfig` validator checks. One parser, used by all three.
import { type Timeframe, timeframeMs } from '../market/timeframes';
import { DEFAULT_EXIT_CONFIG, riskDefaultsFor, validateRiskConfig } from '../risk';
import type { RiskConfig, ValidationResult } from '../risk/types';
import { getStrategy, validateParams } from '../strategy';

export const TRADING_MODES = ['sim', 'paper', 'live'] as const;
export type TradingMode = (typeof TRADING_MODES)[number];

/**
 * Modes whose sessions trade one account: `sim` and `paper` both reach the simulator with the same keys
 * (see `keysFor` and `exchangeProvider` in workers/exchange.ts), so their positions share its coins.
 */
export function modesSharingAccount(mode: TradingMode): TradingMode[] {
  return mode === 'live' ? ['live'] : ['sim', 'paper'];
}

export interface OrderConfig {
  /** Seconds a limit order may rest before the rest is cancelled. */
  timeoutSec: number;
  /** After a timeout, buy/sell the remainder at market when it is above the minimum total. */
  fallbackToMarket: boolean;
  /** Skip the market fallback when the price moved more than this from the limit price. */
  maxSlippagePct: number;
  /** Limit entries this many ticks above the best bid (0 = join the bid). */
  entryTicksAboveBid: number;
}

export interface SessionConfig {
  name: string;
  mode: TradingMode;
  strategy: string;
  strategyParams: Record<string, number | boolean>;
  /** Markets to trade; empty means the universe (top `universeSize` liquid KRW markets). */
  markets: string[];
  universeSize: number;
  /** Seconds between evaluations when not aligned to bar closes. */
  loopIntervalSec: number;
  risk: Record<string, unknown>;
  order: OrderConfig;
  /** Live trading needs this set by a double-confirmed dashboard action. */
  liveConfirmed: boolean;
  /**
   * Coins the account holds that no position knows of (found by reconciliation at start):
   * `adopt` puts each under a managed position with this session's exit plan; `alert` (the default)
   * leaves them to the operator, with a critical alert.
   */
  orphans?: OrphanPolicy;
}

export const ORPHAN_POLICIES = ['alert', 'adopt'] as const;
export type OrphanPolicy = (typeof ORPHAN_POLICIES)[number];

export interface FieldError {
  field: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const DEFAULT_ORDER_CONFIG: OrderConfig = {
  timeoutSec: 60,
  fallbackToMarket: true,
  maxSlippagePct: 1,
  entryTicksAboveBid: 0,
};

export function defaultSessionConfig(name: string, strategy: string): SessionConfig {
  return {
    name,
    mode: 'sim',
    strategy,
    strategyParams: {},
    markets: [],
    universeSize: 10,
    loopIntervalSec: 15,
    risk: {},
    order: { ...DEFAULT_ORDER_CONFIG },
    liveConfirmed: false,
  };
}

const MARKET_CODE = /^KRW-[A-Z0-9]{1,15}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkNumber(errors: FieldError[], field: string, v: unknown, min: number, max: number, integer = false) {
  if (typeof v !== 'number' || !Number.isFinite(v)) errors.push({ field, message: 'must be a finite number' });
  else if (integer && !Number.isInteger(v)) errors.push({ field, message: 'must be an integer' });
  else if (v < min || v > max) errors.push({ field, message: `must be between ${min} and ${max}` });
}

/**
 * Merges `patch` over `base` and validates the result. Unknown top-level fields are rejected so a
 * typo never silently falls back to a default.
 */
export function parseSessionConfig(patch: unknown, base: SessionConfig): ParseResult<SessionConfig> {
  const errors: FieldError[] = [];
  if (!isObject(patch)) return { ok: false, errors: [{ field: 'config', message: 'must be an object' }] };
  const known = new Set([...Object.keys(base), 'orphans']);
  for (const key of Object.keys(patch)) if (!known.has(key)) errors.push({ field: key, message: 'unknown field' });
  const order = patch.order === undefined ? base.order : patch.order;
  if (!isObject(order)) errors.push({ field: 'order', message: 'must be an object' });
  const merged = {
    ...base,
    ...patch,
    order: isObject(order) ? { ...base.order, ...order } : base.order,
    risk: isObject(patch.risk) ? { ...base.risk, ...patch.risk } : base.risk,
    strategyParams: isObject(patch.strategyParams)
      ? { ...base.strategyParams, ...patch.strategyParams }
      : base.strategyParams,
  } as SessionConfig;

  if (typeof merged.name !== 'string' || merged.name.trim() === '' || merged.name.length > 80)
    errors.push({ field: 'name', message: 'must be a non-empty string of at most 80 characters' });
  if (!TRADING_MODES.includes(merged.mode))
    errors.push({ field: 'mode', message: `must be one of ${TRADING_MODES.join(', ')}` });
  if (typeof merged.strategy !== 'string' || merged.strategy === '')
    errors.push({ field: 'strategy', message: 'must be a strategy id' });
  if (!Array.isArray(merged.markets) || merged.markets.some((m) => typeof m !== 'string' || !MARKET_CODE.test(m)))
    errors.push({ field: 'markets', message: 'must be a list of KRW market codes like KRW-BTC' });
  checkNumber(errors, 'universeSize', merged.universeSize, 1, 100, true);
  checkNumber(errors, 'loopIntervalSec', merged.loopIntervalSec, 1, 86_400);
  if (isObject(merged.order)) {
    checkNumber(errors, 'order.timeoutSec', merged.order.timeoutSec, 1, 86_400);
    checkNumber(errors, 'order.maxSlippagePct', merged.order.maxSlippagePct, 0, 20);
    checkNumber(errors, 'order.entryTicksAboveBid', merged.order.entryTicksAboveBid, 0, 100, true);
    if (typeof merged.order.fallbackToMarket !== 'boolean')
      errors.push({ field: 'order.fallbackToMarket', message: 'must be a boolean' });
  }
  if (typeof merged.liveConfirmed !== 'boolean') errors.push({ field: 'liveConfirmed', message: 'must be a boolean' });
  if (merged.orphans !== undefined && !ORPHAN_POLICIES.includes(merged.orphans))
    errors.push({ field: 'orphans', message: `must be one of ${ORPHAN_POLICIES.join(', ')}` });
  if (merged.mode === 'live' && merged.liveConfirmed !== true)
    errors.push({ field: 'liveConfirmed', message: 'live mode needs an explicit, double-confirmed opt-in' });
  return errors.length ? { ok: false, errors } : { ok: true, value: merged };
}

export function describeErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}

/**
 * Session presets the dashboard offers. `demo` shows the whole life of positions within minutes on
 * the simulator: the probe strategy (enters on any up-closing minute) with a 3-minute time exit.
 * It is a demonstration of the machinery, not a way to make money.
 */
export const SESSION_PRESETS = {
  demo: {
    strategy: 'probe',
    universeSize: 5,
    loopIntervalSec: 10,
    risk: {
      maxOpenPositions: 3,
      cooldownAfterLossMinutes: 5,
      maxEntriesPerCoinPerDay: 20,
      exit: {
        stopMode: 'pct',
        stopAtrMultiple: 2,
        stopPct: 1,
        takeProfit: [
          { atPct: 0.5, fraction: 0.5 },
          { atPct: 1, fraction: 0.5 },
        ],
        trailingAtrMultiple: 1,
        blowOffRsi: 80,
        timeExitBars: 3,
        timeExitMinProgressPct: 5,
        barMs: 60_000,
      },
    },
    order: { timeoutSec: 20, fallbackToMarket: true, maxSlippagePct: 1, entryTicksAboveBid: 0 },
  },
} as const satisfies Record<string, Partial<Record<keyof SessionConfig, unknown>>>;

export type SessionPreset = keyof typeof SESSION_PRESETS;

/**
 * The strategy exists, its parameters fit its schema, and the risk settings are valid: the checks
 * beyond `parseSessionConfig`, so a bad config never reaches (or changes) a running session.
 */
export function checkStrategyAndRisk(config: SessionConfig): string[] {
  const errors: string[] = [];
  let strategy: ReturnType<typeof getStrategy> | undefined;
  try {
    strategy = getStrategy(config.strategy);
  } catch {
    errors.push(`strategy: unknown strategy "${config.strategy}"`);
  }
  if (strategy) {
    const params = validateParams(strategy, config.strategyParams);
    if (!params.ok) errors.push(...params.errors.map((e) => `strategyParams.${e}`));
  }
  const risk = sessionRiskConfig(config);
  if (!risk.ok) errors.push(...risk.errors.map((e) => `risk.${e}`));
  return errors;
}

/** The timeframe the session's strategy decides on; undefined for an unknown strategy (checkStrategyAndRisk says so). */
export function entryTimeframeOf(config: Pick<SessionConfig, 'strategy'>): Timeframe | undefined {
  try {
    return getStrategy(config.strategy).entryTimeframe;
  } catch {
    return undefined;
  }
}

/** The session's risk settings with the defaults of its strategy (the time exit counts entry-timeframe bars). */
export function sessionRiskConfig(config: SessionConfig): ValidationResult<RiskConfig> {
  const timeframe = entryTimeframeOf(config);
  const barMs = timeframe ? timeframeMs(timeframe) : DEFAULT_EXIT_CONFIG.barMs;
  return validateRiskConfig(config.risk, riskDefaultsFor(barMs));
}
