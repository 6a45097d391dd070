import { describe, expect, it } from 'vitest';
import type { ParamSchema } from './api/types';
import { paramDefaults, paramProblems } from './strategy-params';

const schema: ParamSchema = {
  type: 'object',
  properties: {
    lookback: { type: 'integer', minimum: 5, maximum: 200, default: 20 },
    threshold: { type: 'number', minimum: 0, maximum: 1, step: 0.05 },
    trailing: { type: 'boolean', default: true },
    confirm: { type: 'boolean' },
  },
};

describe('strategy parameter forms', () => {
  it('starts from the schema defaults, falling back to the minimum or false', () => {
    expect(paramDefaults(schema)).toEqual({ lookback: 20, threshold: 0, trailing: true, confirm: false });
  });

  it('accepts values inside the schema', () => {
    expect(paramProblems(schema, { lookback: 200, threshold: 0.35, trailing: false, confirm: true })).toEqual([]);
  });

  it('names each value outside the schema', () => {
    expect(paramProblems(schema, { lookback: 4.5, threshold: 1.2, trailing: true, confirm: false })).toEqual([
      'lookback must be a whole number',
      'lookback must be ≥ 5',
      'threshold must be ≤ 1',
    ]);
    // An emptied number field yields NaN; a missing boolean is not silently false.
    expect(paramProblems(schema, { lookback: Number.NaN, threshold: 0.5, trailing: true })).toEqual([
      'lookback must be a number',
      'confirm must be true or false',
    ]);
  });
});
