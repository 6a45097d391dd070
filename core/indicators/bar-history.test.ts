import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BarHistory } from './bar-history';

const H = 3_600_000;

/** The returns as a reader would compute them from the kept bars: ln(close / close before) where one bar apart. */
function fromCloses(h: BarHistory, n: number, skip: number): number[] {
  const ts = h.last('ts', n + 1, skip);
  const closes = h.last('close', n + 1, skip);
  return ts.slice(1).map((t, i) => (t - ts[i] === H ? Math.log(closes[i + 1] / closes[i]) : Number.NaN));
}

describe('BarHistory.lastReturns', () => {
  it('gives the log return of each bar over the one before (NaN across a gap), however late it was first asked', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 12 }),
        fc.array(fc.tuple(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 3 })), {
          minLength: 3,
          maxLength: 40,
        }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        (capacity, bars, firstRead, n0, skip0) => {
          const h = new BarHistory(capacity, H);
          const fresh = new BarHistory(capacity, H);
          const readAt = firstRead % bars.length;
          let ts = 0;
          bars.forEach(([close, step], k) => {
            ts += step * H;
            const bar = { ts, open: close, high: close, low: close, close, volume: 1 };
            h.push(bar);
            fresh.push(bar);
            // The ring keeps returns from its first read on; the bars it held by then get theirs at that read.
            if (k === readAt && h.length > 1) h.lastReturns(1);
          });
          const skip = skip0 % h.length;
          const n = 1 + (n0 % (h.length - skip - 1 || 1));
          if (n + skip >= h.length) return;
          const expected = fromCloses(h, n, skip);
          // Object.is, element by element: the same doubles, NaN where a gap is.
          const same = (got: number[]) => got.length === n && got.every((x, i) => Object.is(x, expected[i]));
          expect(same(h.lastReturns(n, skip)), JSON.stringify([h.lastReturns(n, skip), expected])).toBe(true);
          expect(same(fresh.lastReturns(n, skip))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses a read that reaches the oldest bar kept, whose bar before is gone', () => {
    const h = new BarHistory(4, H);
    for (let i = 1; i <= 6; i++) h.push({ ts: i * H, open: i, high: i, low: i, close: i, volume: 1 });
    expect(h.lastReturns(3)).toEqual([Math.log(4 / 3), Math.log(5 / 4), Math.log(6 / 5)]);
    expect(() => h.lastReturns(4)).toThrow(/need more than the 4 bars kept/);
    expect(() => h.lastReturns(2, 2)).toThrow(/need more than the 4 bars kept/);
  });
});
