// Strategy parameters: one validator for the API, the session config update and the optimiser.
import type { ParamSchema, Strategy } from './types';

export type ParamValidation<P> = { ok: true; params: P } | { ok: false; errors: string[] };

/**
 * Checks a (partial) parameter object against the strategy's schema and fills the rest from its
 * defaults. Unknown names, wrong types and out-of-range values give field-named errors.
 */
export function validateParams<P>(strategy: Strategy<P>, raw: unknown): ParamValidation<P> {
  if (raw === undefined || raw === null) return { ok: true, params: { ...strategy.defaults } };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, errors: [`params: must be an object, got ${JSON.stringify(raw)}`] };
  const errors: string[] = [];
  const out: Record<string, unknown> = { ...(strategy.defaults as Record<string, unknown>) };
  const props = strategy.params.properties;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const spec = props[name];
    if (!spec) {
      errors.push(`${name}: unknown parameter of strategy ${strategy.id}`);
      continue;
    }
    if (spec.type === 'boolean') {
      if (typeof value !== 'boolean') errors.push(`${name}: must be true or false, got ${JSON.stringify(value)}`);
      else out[name] = value;
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      errors.push(`${name}: must be a finite number, got ${JSON.stringify(value)}`);
      continue;
    }
    if (spec.type === 'integer' && !Number.isInteger(value)) errors.push(`${name}: must be an integer, got ${value}`);
    else if (value < spec.minimum || value > spec.maximum)
      errors.push(`${name}: must be between ${spec.minimum} and ${spec.maximum}, got ${value}`);
    else out[name] = value;
  }
  return errors.length ? { ok: false, errors } : { ok: true, params: out as P };
}

/** Defaults read off a schema (used to keep `defaults` and `params` in one place). */
export function defaultsOf<P>(schema: ParamSchema): P {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema.properties)) out[name] = spec.default;
  return out as P;
}
