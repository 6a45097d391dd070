import { describe, expect, it } from 'vitest';
import { getStrategy } from '../strategy';
import { cronProblem, defaultSessionConfig, parseSessionConfig } from './config';
import { decideRetune, retuneFolds } from './retune';

const rsi = getStrategy('rsi');
const current = { period: 14, oversold: 30, overbought: 70 };
const candidate = { period: 14, oversold: 25, overbought: 75 };
const retune = {
  cron: '0 1 * * *',
  lookbackDays: 90,
  method: 'tpe',
  objective: 'sharpe',
  apply: 'propose',
  minImprovement: 0.2,
};

describe('retune config', () => {
  const base = defaultSessionConfig('s', 'rsi');

  it('takes a complete retune setting, and null turns it off', () => {
    const on = parseSessionConfig({ retune }, base);
    expect(on.ok && on.value.retune).toEqual(retune);
    const off = on.ok ? parseSessionConfig({ retune: null }, on.value) : on;
    expect(off.ok && off.value.retune).toBeUndefined();
  });

  it('refuses unknown, missing and out-of-range fields, each by name', () => {
    const r = parseSessionConfig(
      {
        retune: {
          ...retune,
          cron: '0 25 * * *',
          lookbackDays: 0,
          method: 'guess',
          objective: 'luck',
          apply: 'always',
          minImprovement: -1,
          extra: 1,
          budget: 1.5,
        },
      },
      base,
    );
    expect(r.ok).toBe(false);
    const fields = r.ok ? [] : r.errors.map((e) => e.field).sort();
    expect(fields).toEqual(
      [
        'retune.apply',
        'retune.budget',
        'retune.cron',
        'retune.extra',
        'retune.lookbackDays',
        'retune.method',
        'retune.minImprovement',
        'retune.objective',
      ].sort(),
    );
    const missing = parseSessionConfig({ retune: { cron: '0 1 * * *' } }, base);
    expect(missing.ok ? [] : missing.errors.map((e) => e.field)).toContain('retune.apply');
    expect(parseSessionConfig({ retune: 'daily' }, base).ok).toBe(false);
  });

  it('checks cron expressions field by field', () => {
    for (const ok of ['0 1 * * *', '*/15 * * * *', '0 0-6/2 1,15 * 1-5']) expect(cronProblem(ok), ok).toBeUndefined();
    for (const bad of [
      '0 1 * *',
      '60 1 * * *',
      '0 1 0 * *',
      '0 1 * 13 *',
      '0 1 * * 7',
      '5-1 * * * *',
      'a b c d e',
      '*/0 * * * *',
    ])
      expect(cronProblem(bad), bad).toBeDefined();
  });
});

describe('decideRetune', () => {
  const decide = (over: Partial<Parameters<typeof decideRetune>[0]>) =>
    decideRetune({
      strategy: rsi,
      retune: { apply: 'propose', minImprovement: 0.2 },
      current,
      candidate,
      currentScore: 1,
      candidateScore: 1.5,
      ...over,
    });

  it('proposes only a winner better out of sample by the margin', () => {
    expect(decide({})).toMatchObject({ action: 'propose', params: candidate });
    expect(decide({ candidateScore: 1.2 })).toMatchObject({ action: 'propose' });
    expect(decide({ candidateScore: 1.19 }).action).toBe('keep');
    expect(decide({ candidateScore: 0.5 }).action).toBe('keep');
    expect(decide({ candidateScore: null }).action).toBe('keep');
    // The running parameters with no score (no trades) lose to any scored winner.
    expect(decide({ currentScore: null, candidateScore: -3 }).action).toBe('propose');
    // A margin of 0 still needs a strictly better score.
    expect(decide({ retune: { apply: 'propose', minImprovement: 0 }, candidateScore: 1 }).action).toBe('keep');
  });

  it('keeps the running parameters when the winner is the same set', () => {
    expect(decide({ candidate: { ...current } }).action).toBe('keep');
  });

  it('auto applies only within the strategy bounds', () => {
    expect(decide({ retune: { apply: 'auto', minImprovement: 0.2 } })).toMatchObject({ action: 'apply' });
    const outside = decide({
      retune: { apply: 'auto', minImprovement: 0.2 },
      candidate: { ...candidate, oversold: 60 },
    });
    expect(outside.action).toBe('keep');
    expect(outside.reason).toMatch(/oversold/);
    expect(
      decide({ retune: { apply: 'auto', minImprovement: 0.2 }, candidate: { ...candidate, bogus: 1 } }).action,
    ).toBe('keep');
  });
});

describe('retuneFolds', () => {
  it('judges the last half of the lookback out of sample in two folds', () => {
    expect(retuneFolds(4)).toEqual({ mode: 'anchored', trainMs: 2 * 86_400_000, testMs: 86_400_000 });
  });
});
