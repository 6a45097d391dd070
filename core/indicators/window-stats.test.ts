import fc from 'fast-check';
import { ATR, BollingerBands, RSI, SMA, StochasticOscillator, WSMA } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { Bollinger, MovingSums, Ring, SteadyRSI, SteadyWSMA, Stochastic } from './window-stats';

/** A bar stream where some bars arrive first as one or two forming versions, then final. */
const barStream = fc.array(
  fc.record({
    close: fc.double({ min: 1, max: 1000, noNaN: true }),
    up: fc.double({ min: 0, max: 20, noNaN: true }),
    down: fc.double({ min: 0, max: 0.5, noNaN: true }),
    revisions: fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { maxLength: 2 }),
  }),
  { minLength: 1, maxLength: 260 },
);
type Step = { bar: { high: number; low: number; close: number }; replace: boolean };
/** Updates in arrival order: each bar's revisions, then the final version (replace for all but the first). */
function steps(rows: { close: number; up: number; down: number; revisions: number[] }[]): Step[] {
  const out: Step[] = [];
  for (const r of rows) {
    const versions = [...r.revisions, r.close];
    versions.forEach((close, k) => {
      out.push({ bar: { close, high: close + r.up, low: close * (1 - r.down) }, replace: k > 0 });
    });
  }
  return out;
}

const close = (a: number | null | undefined, b: number | null | undefined) => {
  if (a === null || a === undefined || b === null || b === undefined) return expect(a ?? null).toBe(b ?? null);
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
};

describe('window statistics agree with trading-signals, revisions included', () => {
  it('MovingSums = SMA(9, 21, 50, 200)', () => {
    fc.assert(
      fc.property(barStream, (rows) => {
        const ours = new MovingSums([9, 21, 50, 200]);
        const theirs = [9, 21, 50, 200].map((n) => new SMA(n));
        for (const s of steps(rows)) {
          ours.update(s.bar.close, s.replace);
          theirs.forEach((t, k) => {
            t.update(s.bar.close, s.replace);
            close(ours.mean(k), t.isStable ? t.getResult() : null);
          });
        }
      }),
    );
  });

  it('SteadyWSMA = WSMA, SteadyRSI = RSI, and RSI and ATR on SteadyWSMA = theirs, to the bit', () => {
    fc.assert(
      fc.property(barStream, fc.constantFrom(3, 7, 14), (rows, n) => {
        const pairs = [
          [new SteadyWSMA(n), new WSMA(n)],
          [new RSI(n, SteadyWSMA), new RSI(n)],
          [new SteadyRSI(n), new RSI(n)],
        ] as const;
        const atrs = [new ATR(n, SteadyWSMA), new ATR(n)];
        for (const s of steps(rows)) {
          for (const [ours, theirs] of pairs) {
            expect(ours.update(s.bar.close, s.replace)).toBe(theirs.update(s.bar.close, s.replace));
            expect(ours.isStable ? ours.getResult() : null).toBe(theirs.isStable ? theirs.getResult() : null);
          }
          expect(atrs[0].update(s.bar, s.replace)).toBe(atrs[1].update(s.bar, s.replace));
        }
      }),
    );
  });

  it('MovingSums stays exact over long runs (periodic re-sum)', () => {
    const ours = new MovingSums([3]);
    const xs = Array.from({ length: 5000 }, (_, i) => 1e8 + ((i * 7919) % 1000) * 0.37);
    for (const x of xs) ours.update(x, false);
    expect(ours.mean(0)).toBeCloseTo((xs[4997] + xs[4998] + xs[4999]) / 3, 6);
  });

  it('Bollinger = BollingerBands(20, 2)', () => {
    fc.assert(
      fc.property(barStream, (rows) => {
        const ours = new Bollinger(20, 2);
        const theirs = new BollingerBands(20, 2);
        for (const s of steps(rows)) {
          ours.update(s.bar.close, s.replace);
          const t = theirs.update(s.bar.close, s.replace);
          const o = ours.value();
          close(o?.upper, t?.upper);
          close(o?.middle, t?.middle);
          close(o?.lower, t?.lower);
        }
      }),
    );
  });

  it('Stochastic = StochasticOscillator(14, 3, 3)', () => {
    fc.assert(
      fc.property(barStream, (rows) => {
        const ours = new Stochastic(14, 3, 3);
        const theirs = new StochasticOscillator({ kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 });
        for (const s of steps(rows)) {
          ours.update(s.bar, s.replace);
          theirs.update(s.bar, s.replace);
          const t = theirs.getResult();
          close(ours.value()?.k, t?.stochK);
          close(ours.value()?.d, t?.stochD);
        }
      }),
    );
  });
});

describe('hand-worked values', () => {
  it('SMA of 3 over 1..5 is 4; a revision of the newest changes only it', () => {
    const s = new MovingSums([3]);
    for (const x of [1, 2, 3, 4, 5]) s.update(x, false);
    expect(s.mean(0)).toBe(4);
    s.update(8, true); // (3 + 4 + 8) / 3
    expect(s.mean(0)).toBe(5);
  });

  it('Bollinger of 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population sd 2', () => {
    const b = new Bollinger(8, 2);
    for (const x of [2, 4, 4, 4, 5, 5, 7, 9]) b.update(x, false);
    expect(b.value()).toEqual({ upper: 9, middle: 5, lower: 1 });
  });

  it('stochastic %K of a close at the top of the range is 100', () => {
    const s = new Stochastic(3, 1, 1);
    for (const c of [1, 2, 3]) s.update({ high: c, low: c - 1, close: c }, false);
    expect(s.value()).toEqual({ k: 100, d: 100 });
    s.update({ high: 3, low: 2, close: 2 }, false); // range 1..3 over the last 3 bars, close 2 → 50
    expect(s.value()).toEqual({ k: 50, d: 50 });
  });

  it('Ring returns values newest first and drops the oldest', () => {
    const r = new Ring(3);
    for (const x of [1, 2, 3]) expect(r.push(x, false)).toBeNaN();
    expect(r.push(4, false)).toBe(1);
    expect([r.at(0), r.at(1), r.at(2)]).toEqual([4, 3, 2]);
    r.push(9, true);
    expect(r.at(0)).toBe(9);
    expect(r.length).toBe(3);
  });
});
