import { describe, expect, it } from 'vitest';
import { gridSize, optimize, type ParamSet, type ParamSpace, planOptimization, rankTrials, tpeSuggest } from './search';

// Toy objective with a known optimum: x = 3.2, y = -1, mode = 'b' -> score 1.
const space: ParamSpace = {
  x: { type: 'float', min: -10, max: 10 },
  y: { type: 'int', min: -10, max: 10 },
  mode: { type: 'choice', values: ['a', 'b', 'c'] },
};
const toy = (p: ParamSet) => -((Number(p.x) - 3.2) ** 2) - (Number(p.y) + 1) ** 2 + (p.mode === 'b' ? 1 : 0);

describe('grid search', () => {
  it('enumerates every combination and ranks the known optimum first', () => {
    const gridSpace: ParamSpace = {
      fast: { type: 'int', min: 2, max: 6, step: 2 }, // 2, 4, 6
      slow: { type: 'float', min: 0.1, max: 0.3, step: 0.1 }, // 0.1, 0.2, 0.3
      on: { type: 'choice', values: [true, false] },
    };
    expect(gridSize(gridSpace)).toBe(18);
    const plan = planOptimization({ space: gridSpace, method: 'grid', budget: 100, seed: 1 });
    expect(plan).toHaveLength(18);
    expect(new Set(plan.map((p) => JSON.stringify(p))).size).toBe(18);
    expect(plan.map((p) => p.slow).filter((v, i, a) => a.indexOf(v) === i)).toEqual([0.1, 0.2, 0.3]);
    const ranked = optimize({ space: gridSpace, method: 'grid', budget: 100, seed: 1 }, (p) =>
      p.on ? -Math.abs(Number(p.fast) - 4) - Math.abs(Number(p.slow) - 0.2) : -10,
    );
    expect(ranked[0].params).toEqual({ fast: 4, slow: 0.2, on: true });
    expect(ranked[0].score).toBeCloseTo(0, 12);
  });

  it('refuses a grid larger than the budget and bad spaces, with the reason', () => {
    expect(() => planOptimization({ space, method: 'grid', budget: 10, seed: 1 })).toThrow(/more than the budget 10/);
    expect(() => planOptimization({ space: {}, method: 'random', budget: 10, seed: 1 })).toThrow(/empty/);
    expect(() =>
      planOptimization({ space: { a: { type: 'int', min: 5, max: 1 } }, method: 'random', budget: 3, seed: 1 }),
    ).toThrow(/min <= max/);
    expect(() => planOptimization({ space, method: 'random', budget: 0, seed: 1 })).toThrow(/budget/);
  });
});

describe('random search', () => {
  it('is repeatable for a seed, stays inside the bounds, and differs between seeds', () => {
    const a = planOptimization({ space, method: 'random', budget: 50, seed: 7 });
    const b = planOptimization({ space, method: 'random', budget: 50, seed: 7 });
    const c = planOptimization({ space, method: 'random', budget: 50, seed: 8 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const p of a) {
      expect(Number(p.x)).toBeGreaterThanOrEqual(-10);
      expect(Number(p.x)).toBeLessThanOrEqual(10);
      expect(Number.isInteger(p.y)).toBe(true);
      expect(['a', 'b', 'c']).toContain(p.mode);
    }
  });

  it('returns fewer sets than the budget when the space holds fewer distinct ones', () => {
    const tiny: ParamSpace = { a: { type: 'int', min: 1, max: 3 } };
    expect(planOptimization({ space: tiny, method: 'random', budget: 10, seed: 1 })).toHaveLength(3);
  });
});

describe('TPE', () => {
  it('finds the known optimum of the numeric dimensions, and beats random search on the same budget', () => {
    const budget = 80;
    let tpeSum = 0;
    let randomSum = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const tpe = optimize({ space, method: 'tpe', budget, seed }, toy);
      expect(tpe).toHaveLength(budget);
      expect(tpe[0].params.y).toBe(-1);
      expect(Math.abs(Number(tpe[0].params.x) - 3.2)).toBeLessThan(1);
      tpeSum += tpe[0].score;
      randomSum += optimize({ space, method: 'random', budget, seed }, toy)[0].score;
    }
    // Averaged over seeds, TPE's best beats random search's best with the same budget.
    expect(tpeSum / 5).toBeGreaterThan(randomSum / 5 + 0.5);
  });

  it('is deterministic for a history and seed, and samples at random during start-up', () => {
    const history = planOptimization({ space, method: 'random', budget: 20, seed: 3 }).map((params) => ({
      params,
      score: toy(params),
    }));
    expect(tpeSuggest(history, space, 99)).toEqual(tpeSuggest(history, space, 99));
    expect(tpeSuggest(history.slice(0, 3), space, 5)).toEqual(tpeSuggest([], space, 5));
  });
});

describe('rankTrials', () => {
  it('puts failed (non-finite) scores last and keeps ties in order', () => {
    const ranked = rankTrials([
      { params: { i: 0 }, score: Number.NaN },
      { params: { i: 1 }, score: 1 },
      { params: { i: 2 }, score: 2 },
      { params: { i: 3 }, score: 1 },
    ]);
    expect(ranked.map((t) => t.params.i)).toEqual([2, 1, 3, 0]);
  });
});
