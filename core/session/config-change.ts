// What a config update of a running session changes, field by field, and when each change takes effect: the
// session re-reads its config at every evaluation, but an open position keeps the exit plan it was given at entry,
// and the mode is fixed for the session's life.
import { type SessionConfig, sessionRiskConfig } from './config';

/**
 * live: from the next evaluation (strategy, parameters, markets, entry limits, order settings, re-tuning);
 * newPositions: positions opened from now on (the exit settings: open positions keep their plan);
 * newSession: not while it runs (the mode): start a new session instead.
 */
export type ChangeTakesEffect = 'live' | 'newPositions' | 'newSession';

export interface ConfigFieldChange {
  /** Dotted path, e.g. `risk.dailyLossLimitPct`, `strategyParams.rsiPeriod`, `markets`. */
  field: string;
  before: unknown;
  after: unknown;
  takesEffect: ChangeTakesEffect;
}

/** Leaves of a config as dotted paths; arrays are leaves (a market list changes as a whole). */
function leaves(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) out.set(prefix, value);
  return out;
}

export function takesEffect(field: string): ChangeTakesEffect {
  if (field === 'mode') return 'newSession';
  if (field === 'risk.exit' || field.startsWith('risk.exit.')) return 'newPositions';
  return 'live';
}

/** A config with its risk limits as they apply (the strategy's defaults filled in), so a change shows real values. */
function effective(config: SessionConfig): SessionConfig {
  const risk = sessionRiskConfig(config);
  return risk.ok ? { ...config, risk: { ...risk.value } } : config;
}

/** The fields that differ between two configs (risk limits with their defaults), in path order, with when each takes effect. */
export function configChanges(before: SessionConfig, after: SessionConfig): ConfigFieldChange[] {
  const a = leaves(effective(before), '', new Map());
  const b = leaves(effective(after), '', new Map());
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  return fields
    .filter((f) => JSON.stringify(a.get(f)) !== JSON.stringify(b.get(f)))
    .map((field) => ({ field, before: a.get(field), after: b.get(field), takesEffect: takesEffect(field) }));
}
