// Risk configuration: defaults and the one validator the API, the session's configUpdate validator
// and the backtester all use. Unknown fields are rejected so a typo never silently means "default".
import type { DataQualityConfig, EdgeConfig, ExitConfig, RiskConfig, TakeProfitRung, ValidationResult } from './types';

export const DEFAULT_EXIT_CONFIG: ExitConfig = {
  stopMode: 'atr',
  stopAtrMultiple: 2,
  stopPct: 2,
  takeProfit: [
    { atPct: 2, fraction: 0.5 },
    { atPct: 5, fraction: 0.5 },
  ],
  trailingAtrMultiple: 1,
  blowOffRsi: 80,
  timeExitBars: 48,
  timeExitMinProgressPct: 0.5,
  barMs: 15 * 60_000,
};

export const DEFAULT_EDGE_CONFIG: EdgeConfig = { feeMultiple: 2, atrMultiple: 1, slippagePct: 0.05 };

/** Today's gate: every flagged spike skips the market's evaluations while it is recent. */
export const DEFAULT_DATA_QUALITY_CONFIG: DataQualityConfig = { spikeGate: true, spikeMinMovePct: 0 };

export const DEFAULT_RISK_CONFIG: RiskConfig = {
  riskPerTradePct: 1,
  kellyFraction: 0,
  maxCoinWeightPct: 20,
  maxTotalExposurePct: 80,
  maxOpenPositions: 5,
  onePositionPerCoin: true,
  maxEntriesPerCoinPerDay: 3,
  dailyLossLimitPct: 3,
  maxDrawdownPct: 15,
  drawdownWindowDays: 30,
  cooldownAfterLossMinutes: 60,
  maxCorrelation: 0.85,
  volatilityHaltDropPct: 3,
  volatilityHaltWindowMinutes: 15,
  volatilityHaltMinutes: 60,
  exit: DEFAULT_EXIT_CONFIG,
  edge: DEFAULT_EDGE_CONFIG,
  dataQuality: DEFAULT_DATA_QUALITY_CONFIG,
};

/**
 * Defaults for a strategy whose entry timeframe has bars of `entryBarMs`: the time exit counts those bars
 * unless a config sets `exit.barMs`. Live sessions and backtests both start from here.
 */
export function riskDefaultsFor(entryBarMs: number): RiskConfig {
  return { ...DEFAULT_RISK_CONFIG, exit: { ...DEFAULT_EXIT_CONFIG, barMs: entryBarMs } };
}

type NumberRule = { min: number; max: number; integer?: boolean; minExclusive?: boolean };

const RISK_NUMBERS: Record<string, NumberRule> = {
  riskPerTradePct: { min: 0, max: 10, minExclusive: true },
  kellyFraction: { min: 0, max: 1 },
  maxCoinWeightPct: { min: 0, max: 100, minExclusive: true },
  maxTotalExposurePct: { min: 0, max: 100, minExclusive: true },
  maxOrderKrw: { min: 0, max: 1_000_000_000, integer: true },
  maxCapitalKrw: { min: 0, max: 1_000_000_000_000, integer: true },
  maxOpenPositions: { min: 1, max: 100, integer: true },
  maxEntriesPerCoinPerDay: { min: 1, max: 100, integer: true },
  dailyLossLimitPct: { min: 0, max: 100, minExclusive: true },
  maxDrawdownPct: { min: 0, max: 100, minExclusive: true },
  drawdownWindowDays: { min: 1, max: 90, integer: true },
  cooldownAfterLossMinutes: { min: 0, max: 7 * 24 * 60 },
  maxCorrelation: { min: 0, max: 1 },
  volatilityHaltDropPct: { min: 0, max: 100, minExclusive: true },
  volatilityHaltWindowMinutes: { min: 1, max: 24 * 60, integer: true },
  volatilityHaltMinutes: { min: 0, max: 7 * 24 * 60 },
};

const EXIT_NUMBERS: Record<string, NumberRule> = {
  stopAtrMultiple: { min: 0, max: 20, minExclusive: true },
  stopPct: { min: 0, max: 50, minExclusive: true },
  trailingAtrMultiple: { min: 0, max: 20 },
  blowOffRsi: { min: 0, max: 100 },
  timeExitBars: { min: 0, max: 10_000, integer: true },
  timeExitMinProgressPct: { min: -50, max: 100 },
  barMs: { min: 1000, max: 7 * 24 * 3_600_000, integer: true },
};

const DATA_QUALITY_NUMBERS: Record<string, NumberRule> = {
  spikeMinMovePct: { min: 0, max: 1000 },
};

const EDGE_NUMBERS: Record<string, NumberRule> = {
  feeMultiple: { min: 0, max: 20 },
  atrMultiple: { min: 0, max: 20 },
  slippagePct: { min: 0, max: 5 },
};

function checkNumber(path: string, v: unknown, rule: NumberRule, errors: string[]): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    errors.push(`${path}: must be a finite number, got ${JSON.stringify(v)}`);
    return;
  }
  if (rule.integer && !Number.isInteger(v)) errors.push(`${path}: must be an integer, got ${v}`);
  const tooLow = rule.minExclusive ? v <= rule.min : v < rule.min;
  if (tooLow || v > rule.max) {
    const lo = rule.minExclusive ? `> ${rule.min}` : `>= ${rule.min}`;
    errors.push(`${path}: must be ${lo} and <= ${rule.max}, got ${v}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `raw` over `defaults` field by field, checking numbers against `rules`; other keys are the caller's. */
function mergeNumbers(
  prefix: string,
  raw: Record<string, unknown>,
  defaults: Record<string, unknown>,
  rules: Record<string, NumberRule>,
  errors: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, rule] of Object.entries(rules)) {
    if (raw[key] === undefined) continue;
    checkNumber(prefix + key, raw[key], rule, errors);
    out[key] = raw[key];
  }
  return out;
}

function unknownKeys(prefix: string, raw: Record<string, unknown>, known: object, errors: string[]): void {
  for (const key of Object.keys(raw)) if (!(key in known)) errors.push(`${prefix}${key}: unknown field`);
}

function validateLadder(v: unknown, errors: string[]): TakeProfitRung[] {
  const path = 'exit.takeProfit';
  if (!Array.isArray(v) || v.length === 0 || v.length > 10) {
    errors.push(`${path}: must be a list of 1 to 10 rungs {atPct, fraction}`);
    return [];
  }
  let total = 0;
  let lastPct = 0;
  v.forEach((rung, i) => {
    if (!isRecord(rung)) {
      errors.push(`${path}[${i}]: must be an object {atPct, fraction}`);
      return;
    }
    unknownKeys(`${path}[${i}].`, rung, { atPct: 0, fraction: 0 }, errors);
    checkNumber(`${path}[${i}].atPct`, rung.atPct, { min: 0, max: 1000, minExclusive: true }, errors);
    checkNumber(`${path}[${i}].fraction`, rung.fraction, { min: 0, max: 1, minExclusive: true }, errors);
    if (typeof rung.atPct === 'number' && rung.atPct <= lastPct)
      errors.push(`${path}[${i}].atPct: rungs must rise, ${rung.atPct} after ${lastPct}`);
    if (typeof rung.atPct === 'number') lastPct = rung.atPct;
    if (typeof rung.fraction === 'number') total += rung.fraction;
  });
  if (total > 1 + 1e-9) errors.push(`${path}: fractions add up to ${+total.toFixed(6)}, more than the whole position`);
  return v as TakeProfitRung[];
}

/**
 * Validates a (partial) risk config and fills the rest from DEFAULT_RISK_CONFIG.
 * Errors name the field: `maxOpenPositions: must be an integer, got 2.5`.
 */
export function validateRiskConfig(raw: unknown, base: RiskConfig = DEFAULT_RISK_CONFIG): ValidationResult<RiskConfig> {
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { ok: true, value: base };
  if (!isRecord(raw)) return { ok: false, errors: [`config: must be an object, got ${JSON.stringify(raw)}`] };
  // The absolute caps are optional (absent = off), so they are known without a default.
  unknownKeys('', raw, { ...base, maxOrderKrw: 0, maxCapitalKrw: 0, dataQuality: 0 }, errors);

  const top = mergeNumbers('', raw, base as unknown as Record<string, unknown>, RISK_NUMBERS, errors);
  if (raw.onePositionPerCoin !== undefined) {
    if (typeof raw.onePositionPerCoin !== 'boolean')
      errors.push(`onePositionPerCoin: must be true or false, got ${JSON.stringify(raw.onePositionPerCoin)}`);
    else top.onePositionPerCoin = raw.onePositionPerCoin;
  }

  let exit: Record<string, unknown> = { ...base.exit };
  if (raw.exit !== undefined) {
    if (!isRecord(raw.exit)) errors.push('exit: must be an object');
    else {
      unknownKeys('exit.', raw.exit, base.exit, errors);
      exit = mergeNumbers('exit.', raw.exit, exit, EXIT_NUMBERS, errors);
      if (raw.exit.stopMode !== undefined) {
        if (raw.exit.stopMode !== 'atr' && raw.exit.stopMode !== 'pct' && raw.exit.stopMode !== 'none')
          errors.push(`exit.stopMode: must be 'atr', 'pct' or 'none', got ${JSON.stringify(raw.exit.stopMode)}`);
        else exit.stopMode = raw.exit.stopMode;
      }
      if (raw.exit.takeProfit !== undefined) exit.takeProfit = validateLadder(raw.exit.takeProfit, errors);
    }
  }

  let edge: Record<string, unknown> = { ...base.edge };
  if (raw.edge !== undefined) {
    if (!isRecord(raw.edge)) errors.push('edge: must be an object');
    else {
      unknownKeys('edge.', raw.edge, base.edge, errors);
      edge = mergeNumbers('edge.', raw.edge, edge, EDGE_NUMBERS, errors);
    }
  }

  // A config saved before the field existed has none: today's gate.
  const qualityBase = base.dataQuality ?? DEFAULT_DATA_QUALITY_CONFIG;
  let dataQuality: Record<string, unknown> = { ...qualityBase };
  if (raw.dataQuality !== undefined) {
    if (!isRecord(raw.dataQuality)) errors.push('dataQuality: must be an object');
    else {
      unknownKeys('dataQuality.', raw.dataQuality, qualityBase, errors);
      dataQuality = mergeNumbers('dataQuality.', raw.dataQuality, dataQuality, DATA_QUALITY_NUMBERS, errors);
      if (raw.dataQuality.spikeGate !== undefined) {
        if (typeof raw.dataQuality.spikeGate !== 'boolean')
          errors.push(`dataQuality.spikeGate: must be true or false, got ${JSON.stringify(raw.dataQuality.spikeGate)}`);
        else dataQuality.spikeGate = raw.dataQuality.spikeGate;
      }
    }
  }

  const value = { ...top, exit, edge, dataQuality } as unknown as RiskConfig;
  if (value.maxCoinWeightPct > value.maxTotalExposurePct)
    errors.push(`maxCoinWeightPct: ${value.maxCoinWeightPct} exceeds maxTotalExposurePct ${value.maxTotalExposurePct}`);
  return errors.length ? { ok: false, errors } : { ok: true, value };
}
