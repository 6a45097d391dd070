// A trading session's configuration: what the API accepts, the workflow carries and the
// `updateConfig` validator checks. One parser, used by all three.
import { OBJECTIVES, type Objective } from '../backtest/search';
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
  /** Scheduled re-tuning of the strategy parameters; absent = never. */
  retune?: RetuneConfig;
}

export const RETUNE_METHODS = ['grid', 'random', 'tpe'] as const;
export const RETUNE_APPLY = ['propose', 'auto'] as const;

/**
 * A walk-forward optimisation of the strategy parameters over the last `lookbackDays` of stored candles, on a
 * Temporal Schedule (`cron`, 5 fields, UTC). Its winner is compared out of sample with the running parameters and,
 * when its `objective` is higher by at least `minImprovement` (in the objective's own units), proposed to an admin
 * or (`auto`) applied through the session's config update.
 */
export interface RetuneConfig {
  cron: string;
  lookbackDays: number;
  method: (typeof RETUNE_METHODS)[number];
  objective: Objective;
  apply: (typeof RETUNE_APPLY)[number];
  minImprovement: number;
  /** Parameter sets tried per fold; default 16. */
  budget?: number;
}

const RETUNE_FIELDS = ['cron', 'lookbackDays', 'method', 'objective', 'apply', 'minImprovement', 'budget'];
const RETUNE_REQUIRED = RETUNE_FIELDS.filter((f) => f !== 'budget');

/** Minute, hour, day of month, month, day of week: numbers, ranges, steps, lists or `*` within each field's bounds. */
const CRON_FIELDS: [string, number, number][] = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 6],
];

/** Why `cron` is not a 5-field cron expression Temporal Schedules take, or undefined when it is one. */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5)
    return `must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  for (const [i, field] of fields.entries()) {
    const [name, min, max] = CRON_FIELDS[i];
    for (const part of field.split(',')) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) return `${name}: "${part}" is not a number, range, step or *`;
      const [, , a, b, step] = m;
      for (const v of [a, b]) {
        if (v !== undefined && (Number(v) < min || Number(v) > max)) return `${name}: ${v} is outside ${min}..${max}`;
      }
      if (a !== undefined && b !== undefined && Number(b) < Number(a)) return `${name}: range ${a}-${b} runs backwards`;
      if (step !== undefined && Number(step) < 1) return `${name}: step must be at least 1`;
    }
  }
  return undefined;
}

function checkRetune(errors: FieldError[], v: unknown): void {
  if (!isObject(v)) {
    errors.push({ field: 'retune', message: 'must be an object (or null to turn re-tuning off)' });
    return;
  }
  for (const key of Object.keys(v))
    if (!RETUNE_FIELDS.includes(key)) errors.push({ field: `retune.${key}`, message: 'unknown field' });
  for (const key of RETUNE_REQUIRED)
    if (v[key] === undefined) errors.push({ field: `retune.${key}`, message: 'required' });
  if (v.cron !== undefined) {
    const problem = typeof v.cron === 'string' ? cronProblem(v.cron) : 'must be a cron expression';
    if (problem) errors.push({ field: 'retune.cron', message: problem });
  }
  if (v.lookbackDays !== undefined) checkNumber(errors, 'retune.lookbackDays', v.lookbackDays, 1, 365);
  if (v.method !== undefined && !RETUNE_METHODS.includes(v.method as never))
    errors.push({ field: 'retune.method', message: `must be one of ${RETUNE_METHODS.join(', ')}` });
  if (v.objective !== undefined && !OBJECTIVES.includes(v.objective as never))
    errors.push({ field: 'retune.objective', message: `must be one of ${OBJECTIVES.join(', ')}` });
  if (v.apply !== undefined && !RETUNE_APPLY.includes(v.apply as never))
    errors.push({ field: 'retune.apply', message: `must be one of ${RETUNE_APPLY.join(', ')}` });
  if (v.minImprovement !== undefined) checkNumber(errors, 'retune.minImprovement', v.minImprovement, 0, 1_000);
  if (v.budget !== undefined) checkNumber(errors, 'retune.budget', v.budget, 2, 500, true);
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
  const known = new Set([...Object.keys(base), 'orphans', 'retune']);
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
  // A whole retune setting replaces the old one; null turns re-tuning off.
  if (merged.retune === null) delete merged.retune;
  else if (merged.retune !== undefined) checkRetune(errors, merged.retune);
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
