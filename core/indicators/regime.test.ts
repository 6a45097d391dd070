import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyRegime, hurstExponent } from './regime';

/** Uniform noise in [-1, 1] from fast-check's seeded generator. */
const noise = (n: number, seed: number) => fc.sample(fc.double({ min: -1, max: 1, noNaN: true }), { seed, numRuns: n });
/** AR(1) returns r_t = phi x r_{t-1} + e_t. */
function ar1(phi: number, n: number, seed: number) {
  const e = noise(n, seed);
  const r: number[] = [];
  let prev = 0;
  for (const x of e) {
    prev = phi * prev + x;
    r.push(prev);
  }
  return r;
}

describe('hurstExponent', () => {
  it('hand-worked: returns 1..8 with lags 1 and 2', () => {
    // mean 4.5; Var(1-bar) = 42 / 8 = 5.25; 2-bar sums 3,5,...,15 centred on 9 give Var = 112 / 7 = 16;
    // H = ln(16 / 5.25) / ln(2) / 2
    expect(hurstExponent([1, 2, 3, 4, 5, 6, 7, 8], [1, 2])).toBeCloseTo(Math.log(16 / 5.25) / Math.log(2) / 2, 12);
  });

  it('is about 0.5 for independent returns, above for persistent ones, below for mean-reverting ones', () => {
    for (const seed of [1, 2, 3]) {
      const h = hurstExponent(noise(2000, seed))!;
      expect(h).toBeGreaterThan(0.44);
      expect(h).toBeLessThan(0.56);
      expect(hurstExponent(ar1(0.5, 2000, seed))!).toBeGreaterThan(0.6);
      expect(hurstExponent(ar1(-0.5, 2000, seed))!).toBeLessThan(0.4);
    }
  });

  it('is null for too few returns or no movement', () => {
    expect(hurstExponent(noise(31, 1))).toBeNull();
    expect(hurstExponent(noise(32, 1))).not.toBeNull();
    expect(hurstExponent(new Array(100).fill(0.01))).toBeNull();
  });
});

describe('classifyRegime', () => {
  it('labels by the thresholds', () => {
    expect(classifyRegime(0.7).label).toBe('trend');
    expect(classifyRegime(0.5).label).toBe('random');
    expect(classifyRegime(0.3).label).toBe('range');
    expect(classifyRegime(null)).toEqual({ hurst: null, label: null });
    expect(classifyRegime(hurstExponent(ar1(0.5, 500, 9))).label).toBe('trend');
    expect(classifyRegime(hurstExponent(ar1(-0.5, 500, 9))).label).toBe('range');
  });
});
