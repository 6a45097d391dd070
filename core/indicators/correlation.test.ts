import fc from 'fast-check';
import { getCorrelation } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { pearson, type ReturnSeries, returnCorrelation } from './correlation';

const H = 3_600_000;
/** A return series from log returns, bars one hour apart starting at t0, first close 100, bars `skip` left out. */
function fromReturns(returns: number[], t0 = 0, skip: number[] = []): ReturnSeries {
  const ts: number[] = [0 + t0];
  const closes: number[] = [100];
  let p = 100;
  returns.forEach((r, i) => {
    p *= Math.exp(r);
    if (!skip.includes(i + 1)) {
      ts.push(t0 + (i + 1) * H);
      closes.push(p);
    }
  });
  // As the engine's rings keep them: each bar's return over the bar before, where that one is an hour earlier.
  return {
    ts,
    returns: ts.slice(1).map((t, i) => (t - ts[i] === H ? Math.log(closes[i + 1] / closes[i]) : Number.NaN)),
  };
}

/** Pearson correlation by the textbook formula. */
function textbookPearson(x: number[], y: number[]) {
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((_, i) => {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

const ra = [0.01, -0.02, 0.015, 0.003, -0.007, 0.02, -0.011, 0.004, 0.009, -0.013, 0.006, -0.001];
const rb = [0.008, -0.01, 0.02, -0.004, -0.002, 0.012, -0.015, 0.001, 0.011, -0.006, 0.002, 0.003];

describe('returnCorrelation', () => {
  it('is 1 for proportional returns and -1 for opposite ones', () => {
    const a = fromReturns(ra);
    expect(returnCorrelation(a, fromReturns(ra.map((r) => 2 * r)), H, 20, 5)).toBeCloseTo(1, 12);
    expect(returnCorrelation(a, fromReturns(ra.map((r) => -r)), H, 20, 5)).toBeCloseTo(-1, 12);
  });

  it('equals the textbook Pearson correlation of the two return series', () => {
    expect(returnCorrelation(fromReturns(ra), fromReturns(rb), H, 20, 5)).toBeCloseTo(textbookPearson(ra, rb), 12);
  });

  it('uses only the last `window` returns', () => {
    expect(returnCorrelation(fromReturns(ra), fromReturns(rb), H, 6, 5)).toBeCloseTo(
      textbookPearson(ra.slice(6), rb.slice(6)),
      12,
    );
  });

  it('drops returns that span a missing bar in either market', () => {
    // b lacks bar 5: the returns into bar 5 and into bar 6 have no one-bar partner in b, so both are left out
    const got = returnCorrelation(fromReturns(ra), fromReturns(rb, 0, [5]), H, 20, 5);
    const keep = (_: number, i: number) => i !== 4 && i !== 5;
    expect(got).toBeCloseTo(textbookPearson(ra.filter(keep), rb.filter(keep)), 12);
  });

  it('is null with too few pairs or a flat series', () => {
    expect(returnCorrelation(fromReturns(ra), fromReturns(rb), H, 20, 13)).toBeNull();
    expect(returnCorrelation(fromReturns(ra), fromReturns(rb.map(() => 0)), H, 20, 5)).toBeNull();
    expect(returnCorrelation(fromReturns(ra), fromReturns(rb, 7 * H), H, 20, 5)).not.toBeNull(); // 5 overlapping pairs
  });
});

describe('pearson', () => {
  it("is trading-signals' getCorrelation to the bit, and null where that throws (a side without variance)", () => {
    const value = fc.oneof(fc.double({ min: -0.2, max: 0.2, noNaN: true }), fc.constantFrom(0, 0.01, -0.01));
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 2, maxLength: 150 }), fc.boolean(), (pairs, flat) => {
        const xs = pairs.map(([x]) => x);
        const ys = flat ? pairs.map(() => 0.01) : pairs.map(([, y]) => y);
        let expected: number | null;
        try {
          expected = getCorrelation(xs, ys);
        } catch {
          expected = null;
        }
        // Object.is: the same double, not merely close.
        expect(Object.is(pearson(xs, ys), expected), `${pearson(xs, ys)} vs ${expected}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects series of different lengths or a single pair', () => {
    expect(() => pearson([1, 2], [1])).toThrow(/two or more pairs/);
    expect(() => pearson([1], [1])).toThrow(/two or more pairs/);
  });
});
