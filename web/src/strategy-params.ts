import type { ParamSchema, ParamValues } from './api/types';
import { i18next } from './i18n';

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
      if (typeof value !== 'boolean') problems.push(i18next.t('params.boolean', { name }));
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(i18next.t('params.number', { name }));
      continue;
    }
    if (spec.type === 'integer' && !Number.isInteger(value)) problems.push(i18next.t('params.integer', { name }));
    if (spec.minimum !== undefined && value < spec.minimum)
      problems.push(i18next.t('params.min', { name, min: spec.minimum }));
    if (spec.maximum !== undefined && value > spec.maximum)
      problems.push(i18next.t('params.max', { name, max: spec.maximum }));
  }
  return problems;
}
