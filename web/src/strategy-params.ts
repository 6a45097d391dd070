import type { ParamSchema, ParamValues } from './api/types';

/** Each parameter's default from the strategy's schema (minimum, or false, when it gives none). */
export function paramDefaults(schema: ParamSchema): ParamValues {
  const values: ParamValues = {};
  for (const [name, spec] of Object.entries(schema.properties)) {
    values[name] = spec.default ?? (spec.type === 'boolean' ? false : (spec.minimum ?? 0));
  }
  return values;
}

/** Why the values do not fit the schema, one sentence per problem; empty when they fit. */
export function paramProblems(schema: ParamSchema, values: ParamValues): string[] {
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(schema.properties)) {
    const value = values[name];
    if (spec.type === 'boolean') {
      if (typeof value !== 'boolean') problems.push(`${name} must be true or false`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${name} must be a number`);
      continue;
    }
    if (spec.type === 'integer' && !Number.isInteger(value)) problems.push(`${name} must be a whole number`);
    if (spec.minimum !== undefined && value < spec.minimum) problems.push(`${name} must be ≥ ${spec.minimum}`);
    if (spec.maximum !== undefined && value > spec.maximum) problems.push(`${name} must be ≤ ${spec.maximum}`);
  }
  return problems;
}
