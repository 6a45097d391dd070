import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { Candle } from '../market';
import { DEFAULT_RISK_CONFIG, emptyRiskState, onEquity } from '../risk';
import type { EquityEstimate, RiskState } from '../risk/types';
import { nearestDouble, Valuation, type ValuedRun } from './valuation';

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
            const estimate: EquityEstimate = {
              approx: equity.toNumber() + s.off * s.error,
              error: s.error + Math.abs(equity.toNumber()) * 2 ** -52,
              exactKrw: () => {
                exactReads++;
                return krw;
              },
            };
            exact = onEquity(exact, krw, ts, config);
            estimated = onEquity(estimated, estimate, ts, config);
            expect(estimated).toEqual(exact);
            expect(exactReads).toBeLessThanOrEqual(1);
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
    };
    state = onEquity(state, estimate, T0 + HOUR, config);
    expect(state.equityPeaks).toEqual([{ day: '2026-03-10', peakKrw: '10000000' }]);
    // A new high, and a fall past the limit, need it.
    expect(() => onEquity(state, { ...estimate, approx: 10_000_001 }, T0 + 2 * HOUR, config)).toThrow('read');
    expect(() => onEquity(state, { ...estimate, approx: 9_000_000 }, T0 + 2 * HOUR, config)).toThrow('read');
  });
});
