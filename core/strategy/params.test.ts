import { describe, expect, it } from 'vitest';
import { DEFAULT_STRATEGY_ID, getStrategy, strategies, validateParams } from '.';

describe('strategy registry and parameters', () => {
  it('registers the built-ins with the pullback as default', () => {
    expect(Object.keys(strategies).sort()).toEqual([
      'breakout',
      'dual-momentum',
      'ensemble',
      'probe',
      'pullback',
      'rsi-reversion',
    ]);
    expect(DEFAULT_STRATEGY_ID).toBe('pullback');
    expect(() => getStrategy('nope')).toThrow(/unknown strategy "nope"; known: /);
  });

  it.each(Object.keys(strategies))('%s: defaults come from its schema and lie inside it', (id) => {
    const s = getStrategy(id);
    expect(validateParams(s, {})).toEqual({ ok: true, params: s.defaults });
    for (const [name, spec] of Object.entries(s.params.properties)) {
      expect(s.defaults[name]).toBe(spec.default);
      if (spec.type !== 'boolean') {
        expect(spec.default).toBeGreaterThanOrEqual(spec.minimum);
        expect(spec.default).toBeLessThanOrEqual(spec.maximum);
      }
      expect(spec.description.length).toBeGreaterThan(5);
    }
    expect(JSON.parse(JSON.stringify(s.params))).toEqual(s.params);
  });

  it('merges valid values and names every bad one', () => {
    const s = getStrategy('pullback');
    const ok = validateParams(s, { trendMin: 0.5, confirm5m: false });
    expect(ok).toEqual({ ok: true, params: { ...s.defaults, trendMin: 0.5, confirm5m: false } });
    const bad = validateParams(s, { trendMin: 2, dipLookback: 2.5, confirm5m: 'no', bogus: 1, oversoldRsi: '30' });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors).toEqual([
        'trendMin: must be between 0 and 1, got 2',
        'dipLookback: must be an integer, got 2.5',
        'confirm5m: must be true or false, got "no"',
        'bogus: unknown parameter of strategy pullback',
        'oversoldRsi: must be a finite number, got "30"',
      ]);
    expect(validateParams(s, [1])).toEqual({ ok: false, errors: ['params: must be an object, got [1]'] });
  });
});
