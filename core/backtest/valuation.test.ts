import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { Candle } from '../market';
import { DEFAULT_RISK_CONFIG, emptyRiskState, onEquity } from '../risk';
import type { EquityEstimate, RiskState } from '../risk/types';
import { decimalRest, doubleDoubleOf, nearestDouble, Valuation, type ValuedRun } from './valuation';

const T0 = Date.UTC(2026, 2, 10, 0, 0, 0);
const HOUR = 3_600_000;

/** A run holding `held` ([volume, close] per market) with `cash`, nothing resting. */
function runOf(cash: string, held: [string, number][]): { run: ValuedRun; lastBar: Map<string, Candle> } {
  const positions = new Map<string, { market: string; volume: Decimal }>();
  const lastBar = new Map<string, Candle>();
  held.forEach(([volume, close], i) => {
    const market = `KRW-C${i}`;
    positions.set(market, { market, volume: new Decimal(volume) });
    lastBar.set(market, { ts: T0, open: close, high: close, low: close, close, volume: 1 });
  });
  return {
    run: { cash: new Decimal(cash), feeRate: new Decimal('0.0005'), positions, pendingBuys: new Map() },
    lastBar,
  };
}

/** The decimals the valuation stands for: cash + volume x close in order, and free + exposure. */
function exactly(cash: string, held: [string, number][]) {
  let equity = new Decimal(cash);
  let exposure = new Decimal(0);
  for (const [volume, close] of held) {
    const value = new Decimal(volume).mul(close);
    equity = equity.plus(value);
    exposure = exposure.plus(value);
  }
  // free = cash - 0 locked: rounded to the precision too (the initial cash may have more digits).
  const free = new Decimal(cash).minus(0);
  return { equityNumber: equity.toNumber(), accountKrw: free.plus(exposure).toFixed() };
}

// Cash with up to 12 decimals, 8-decimal volumes, closes on a tick grid or arbitrary doubles (synthetic candles).
const cashArb = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 10n }), fc.bigInt({ min: 0n, max: 10n ** 12n - 1n }))
  .map(([int, frac]) => `${int}.${frac.toString().padStart(12, '0')}`);
const volumeArb = fc
  .bigInt({ min: 1n, max: 10n ** 12n })
  .map((units) => new Decimal(units.toString()).div(1e8).toFixed());
const closeArb = fc.oneof(
  fc.integer({ min: 1, max: 200_000_000 }),
  fc.integer({ min: 1, max: 99_999 }).map((t) => t / 10),
  fc.integer({ min: 1, max: 99_999 }).map((t) => t / 1000),
  fc.double({ min: 0.0001, max: 1e6, noNaN: true }),
  // Absurd, but a candle may carry it: integers past 2^53, whose shortest decimal form is not their binary value.
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 60n }).map((n) => Number(n)),
);
const heldArb = fc.array(fc.tuple(volumeArb, closeArb), { minLength: 1, maxLength: 6 });

describe('Valuation', () => {
  it('property: the equity point is the decimal equity read as a double, to the bit', () => {
    fc.assert(
      fc.property(cashArb, heldArb, (cash, held) => {
        const { run, lastBar } = runOf(cash, held);
        expect(new Valuation(run, lastBar).equityNumber()).toBe(exactly(cash, held).equityNumber);
      }),
      { numRuns: 3000 },
    );
  });

  it("property: the account's estimate bounds its exact equity, which is the decimals' free + exposure", () => {
    fc.assert(
      fc.property(cashArb, heldArb, (cash, held) => {
        const { run, lastBar } = runOf(cash, held);
        const account = new Valuation(run, lastBar).account({ fixed: false });
        const estimate = account.equityEstimate!;
        expect(account.equityKrw).toBe(exactly(cash, held).accountKrw);
        expect(estimate.exactKrw()).toBe(account.equityKrw);
        // approx's own binary value (toPrecision(100) writes it out exactly), not its shortest decimal form.
        const approx = new Decimal(estimate.approx.toPrecision(100));
        expect(new Decimal(account.equityKrw).minus(approx).abs().lte(estimate.error)).toBe(true);
        // The bound is tight enough to decide most valuations (a bound of a whole KRW would decide nothing).
        expect(estimate.error).toBeLessThan(Math.max(1e-6, estimate.approx * 1e-12));
      }),
      { numRuns: 2000 },
    );
  });

  it("property: decimalRest is the close's decimal form less its binary value, to 1e-15 of it", () => {
    fc.assert(
      fc.property(closeArb, (close) => {
        const rest = decimalRest(close);
        // Only forms of more digits than a double holds exactly as an integer (or with an exponent) are left out.
        if (Number.isNaN(rest)) {
          expect(String(close).replace(/^0\.0*|\./, '').length > 15 || String(close).includes('e')).toBe(true);
          return;
        }
        // toPrecision(100) writes a double's binary value out exactly; decimal.js reads a number as String(x).
        const exact = new Decimal(String(close)).minus(new Decimal(close.toPrecision(100)));
        expect(new Decimal(rest.toPrecision(100)).minus(exact).abs().lte(exact.abs().mul(1e-15))).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(decimalRest(512)).toBe(0);
    // 0.1's binary value is 0.1000000000000000055511151231257827...
    expect(Math.abs(decimalRest(0.1) / -5.551115123125783e-18 - 1)).toBeLessThan(1e-12);
    expect(decimalRest(1e-7)).toBeNaN(); // written with an exponent: the caller keeps the coarse bound
  });

  it('property: doubleDoubleOf splits a cash or volume decimal into hi + lo within 1e-30 of it', () => {
    // What the run's cash and volumes look like: up to 20 significant digits (decimal.js rounds there), KRW with
    // cents, volumes with 8 decimals, and tiny ones whose doubles are written with an exponent.
    const digits = fc.bigInt({ min: 1n, max: 10n ** 20n - 1n });
    const decimalArb = fc.oneof(
      fc.tuple(digits, fc.integer({ min: 0, max: 12 })).map(([n, k]) => new Decimal(`${n}e-${k}`)),
      fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 13n }), fc.constant(8)).map(([n, k]) => new Decimal(`${n}e-${k}`)),
      fc.tuple(digits, fc.integer({ min: 21, max: 40 })).map(([n, k]) => new Decimal(`${n}e-${k}`)),
    );
    const Exact = Decimal.clone({ precision: 200 });
    fc.assert(
      fc.property(decimalArb, (d) => {
        const [hi, lo] = doubleDoubleOf(d);
        expect(hi).toBe(d.toNumber());
        const off = new Exact(d.toFixed()).minus(hi.toPrecision(100)).minus(lo.toPrecision(100));
        expect(off.abs().lte(new Exact(d.toFixed()).mul(1e-30))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('near a rounding midpoint between two doubles the decimals decide, and still give the nearest double', () => {
    // 100,000,000 + 2^-27 lies halfway between two doubles; the 20-digit equities nearest it, either side.
    for (const [digits, expected] of [
      ['744', 100_000_000],
      ['745', 100_000_000],
      ['746', 100_000_000 + 2 ** -26],
      ['747', 100_000_000 + 2 ** -26],
    ] as const) {
      const cash = `50000000.00000000${digits}`;
      const held: [string, number][] = [['1', 50_000_000]];
      const { run, lastBar } = runOf(cash, held);
      expect(exactly(cash, held).equityNumber).toBe(expected);
      expect(new Valuation(run, lastBar).equityNumber()).toBe(expected);
    }
    // The bound alone does not decide there.
    expect(nearestDouble(100_000_000, 2 ** -27 - 1e-12, 1e-11)).toBeNull();
    expect(nearestDouble(100_000_000, 2 ** -27 - 1e-10, 1e-11)).toBe(100_000_000);
  });

  it('values a held account without a decimal operation when the bound decides (what makes it fast)', () => {
    const held: [string, number][] = [
      ['0.12345678', 95_000_000],
      ['3.5', 4_123_000],
      ['1200.00000001', 512],
    ];
    const { run, lastBar } = runOf('70424844.113431882954', held);
    new Valuation(run, lastBar).equityNumber(); // volumes and cash split once, as at a fill
    const mul = vi.spyOn(Decimal.prototype, 'mul');
    const plus = vi.spyOn(Decimal.prototype, 'plus');
    try {
      for (let i = 0; i < 50; i++) {
        lastBar.get('KRW-C0')!.close = 95_000_000 + i * 1000;
        const v = new Valuation(run, lastBar);
        expect(v.equityNumber()).toBe(
          exactly('70424844.113431882954', [[held[0][0], 95_000_000 + i * 1000], ...held.slice(1)]).equityNumber,
        );
        expect(v.account({ fixed: false }).equityEstimate).toBeDefined();
      }
      // exactly() above multiplies 3 and adds 7 times per valuation; the valuations themselves did so only where the
      // bound could not decide (near a rounding midpoint: about 1 in 70 with these closes).
      const decided = 50 - (mul.mock.calls.length - 50 * 3) / 3;
      expect(decided).toBeGreaterThanOrEqual(47);
      expect(plus.mock.calls.length - 50 * 7).toBe((50 - decided) * 3);
    } finally {
      mul.mockRestore();
      plus.mockRestore();
    }
  });

  it("keeps the exact equity of the moment for later: the run's fills and new closes do not change it", () => {
    const held: [string, number][] = [
      ['0.12345678', 95_000_000],
      ['3.5', 4_123_000],
    ];
    const { run, lastBar } = runOf('70424844.113431882954', held);
    const kept = new Valuation(run, lastBar).account({ fixed: false }).equityEstimate!.keepExact();
    // The account moves on: a sale, a new close, a new position.
    run.cash = run.cash.plus('1000000.5');
    run.positions.set('KRW-C0', { market: 'KRW-C0', volume: new Decimal('0.1') });
    lastBar.set('KRW-C1', { ...lastBar.get('KRW-C1')!, close: 4_500_000 });
    run.positions.set('KRW-C9', { market: 'KRW-C9', volume: new Decimal(1) });
    lastBar.set('KRW-C9', { ...lastBar.get('KRW-C1')!, close: 10 });
    expect(kept()).toBe(exactly('70424844.113431882954', held).accountKrw);
    expect(new Valuation(run, lastBar).account({ fixed: false }).equityKrw).not.toBe(kept());
  });

  it('is exact with nothing held: the cash, converted once per cash amount', () => {
    const { run, lastBar } = runOf('123456789.123456789012', []);
    const v = new Valuation(run, lastBar);
    expect(v.equityNumber()).toBe(Number('123456789.123456789012'));
    expect(v.account({ fixed: false }).equityEstimate).toBeUndefined();
    expect(new Valuation(run, lastBar).account({ fixed: false })).toBe(v.account({ fixed: false }));
  });
});

describe('onEquity with an estimate', () => {
  const config = { ...DEFAULT_RISK_CONFIG, maxDrawdownPct: 8, drawdownWindowDays: 3 };

  it('property: gives the state the exact figure gives, step by step (peaks, new days, the drawdown halt)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            move: fc.double({ min: -0.04, max: 0.04, noNaN: true }),
            hours: fc.integer({ min: 0, max: 30 }),
            // How far the estimate sits from the exact figure, as a share of its error bound.
            off: fc.double({ min: -1, max: 1, noNaN: true }),
            error: fc.constantFrom(0, 1e-9, 1e-4, 5),
          }),
          { minLength: 1, maxLength: 120 },
        ),
        (steps) => {
          let equity = new Decimal('10000000.123456789012');
          let ts = T0;
          let exact: RiskState = emptyRiskState();
          let estimated: RiskState = emptyRiskState();
          for (const s of steps) {
            equity = equity.mul(1 + s.move).toDecimalPlaces(12);
            ts += s.hours * HOUR;
            const krw = equity.toFixed();
            let exactReads = 0;
            let kept = 0;
            const estimate: EquityEstimate = {
              approx: equity.toNumber() + s.off * s.error,
              error: s.error + Math.abs(equity.toNumber()) * 2 ** -52,
              exactKrw: () => {
                exactReads++;
                return krw;
              },
              keepExact: () => {
                kept++;
                return () => krw;
              },
            };
            exact = onEquity(exact, krw, ts, config);
            estimated = onEquity(estimated, estimate, ts, config);
            // Now: the exact figure read at most once, or kept for a new row (a new peak, a new day's two rows).
            expect(exactReads).toBeLessThanOrEqual(1);
            expect(exactReads === 0 || kept === 0).toBe(true);
            expect(kept).toBeLessThanOrEqual(2);
            // Read (toEqual reads the kept rows' strings), the state is the exact path's.
            expect(estimated).toEqual(exact);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads no exact figure for a valuation surely below the day peak and far from the drawdown limit', () => {
    let state = onEquity(emptyRiskState(), '10000000', T0, config);
    const estimate = {
      approx: 9_900_000,
      error: 1e-6,
      exactKrw: () => {
        throw new Error('read');
      },
      keepExact: () => () => {
        throw new Error('kept read');
      },
    };
    state = onEquity(state, estimate, T0 + HOUR, config);
    expect(state.equityPeaks).toEqual([{ day: '2026-03-10', peakKrw: '10000000' }]);
    // A fall past the limit needs it; so does a valuation too close to the peak to tell.
    expect(() => onEquity(state, { ...estimate, approx: 9_000_000 }, T0 + 2 * HOUR, config)).toThrow('read');
    expect(() => onEquity(state, { ...estimate, approx: 10_000_000, error: 0.5 }, T0 + 2 * HOUR, config)).toThrow(
      'read',
    );
  });

  it('keeps a new high and a new day unread until something reads them, as the strings the exact path writes', () => {
    const reads: string[] = [];
    const estimateOf = (krw: string) => ({
      approx: Number(krw),
      error: 1e-6,
      exactKrw: () => {
        throw new Error('read now');
      },
      keepExact: () => () => {
        reads.push(krw);
        return krw;
      },
    });
    let exact = onEquity(emptyRiskState(), '10000000', T0, config);
    let estimated = exact;
    // A new high today, then a new day (its peak and day-open rows), then below that day's peak.
    const steps: [string, number][] = [
      ['10000100.25', T0 + HOUR],
      ['9950000.5', T0 + 30 * HOUR],
      ['9940000', T0 + 31 * HOUR],
    ];
    for (const [krw, ts] of steps) {
      estimated = onEquity(estimated, estimateOf(krw), ts, config);
      exact = onEquity(exact, krw, ts, config);
    }
    expect(reads).toEqual([]);
    expect(estimated.equityPeaks.map((r) => r.day)).toEqual(['2026-03-10', '2026-03-11']);
    expect(estimated.equityPeaks[1].peakKrw).toBe('9950000.5');
    expect(estimated).toEqual(exact);
    expect(JSON.parse(JSON.stringify(estimated))).toEqual(JSON.parse(JSON.stringify(exact)));
    // Each figure computed once: the new day's peak and day-open rows share theirs.
    expect(reads.sort()).toEqual(['10000100.25', '9950000.5']);
    expect(estimated).toEqual(exact);
    expect(reads).toHaveLength(2);
  });
});
