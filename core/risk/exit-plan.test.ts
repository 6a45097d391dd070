import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOnTick } from '../market';
import { DEFAULT_EXIT_CONFIG } from './config';
import { createExitPlan, updateExitPlan, updateExitPlanExactly, withRemainingVolume } from './exit-plan';
import type { ExitConfig, ExitPlan } from './types';

const T0 = Date.UTC(2026, 2, 10);
const BAR = 15 * 60_000;
const config: ExitConfig = { ...DEFAULT_EXIT_CONFIG, timeExitBars: 4, barMs: BAR };
// Entry 10,000 KRW (tick 10), ATR 100: stop 9,800; rungs 10,200 (half) and 10,500 (rest); 10 units = 100,000 KRW.
const plan = () =>
  createExitPlan({ market: 'KRW-X', entryPrice: '10000', volume: '10', atr: '100', config, openedTs: T0 });
const bar = (low: number, high: number, close: number, ts = T0 + BAR) => ({ low, high, price: close, ts });

describe('createExitPlan', () => {
  it('puts stop, ladder and progress levels on the ask grid', () => {
    const p = plan();
    expect(p.stop).toBe('9800');
    expect(p.ladder).toEqual([
      { level: '10200', fraction: 0.5, done: false },
      { level: '10500', fraction: 0.5, done: false },
    ]);
    expect(p.timeExitTs).toBe(T0 + 4 * BAR);
    expect(p.progressLevel).toBe('10050');
    expect(p.minTotalKrw).toBe('30000');
    const pct = createExitPlan({
      market: 'KRW-X',
      entryPrice: '10005',
      volume: '1',
      atr: '0',
      config: { ...config, stopMode: 'pct' },
      openedTs: T0,
    });
    // 10,005 x 0.98 = 9,804.9 -> ask grid (tick 5) 9,805
    expect(pct.stop).toBe('9805');
    expect(() =>
      createExitPlan({ market: 'KRW-X', entryPrice: '10000', volume: '1', atr: '0', config, openedTs: T0 }),
    ).toThrow(/ATR/);
  });

  it('computes take-profit and progress levels exactly, not in floating point', () => {
    // 1 + 14/100 is 1.1400000000000001 in binary floating point: 100,000 x that is just above 114,000
    // and the ask grid (tick 100) would lift the level to 114,100.
    const p = createExitPlan({
      market: 'KRW-X',
      entryPrice: '100000',
      volume: '1',
      atr: '0',
      config: {
        ...config,
        stopMode: 'pct',
        takeProfit: [
          { atPct: 14, fraction: 0.5 },
          { atPct: 28, fraction: 0.5 },
        ],
        timeExitMinProgressPct: 7,
      },
      openedTs: T0,
    });
    expect(p.ladder.map((r) => r.level)).toEqual(['114000', '128000']);
    expect(p.progressLevel).toBe('107000');
  });
});

describe('updateExitPlan', () => {
  it('checks the stop first when one bar crosses both the stop and a target', () => {
    const u = updateExitPlan(plan(), bar(9790, 10300, 10000));
    expect(u.trigger).toMatchObject({ kind: 'stop', fraction: 1, volume: '10.00000000', level: '9800' });
    expect(u.plan.done).toBe(true);
    expect(updateExitPlan(u.plan, bar(9000, 9000, 9000)).trigger).toBeUndefined();
  });

  it('takes half at the first rung, then trails 1 ATR under the high', () => {
    let u = updateExitPlan(plan(), bar(9900, 10250, 10220));
    expect(u.trigger).toMatchObject({ kind: 'take_profit', fraction: 0.5, volume: '5.00000000', level: '10200' });
    expect(u.plan.remaining).toBe('5');
    expect(u.plan.trailingStop).toBe('10150'); // 10,250 - 100
    u = updateExitPlan(u.plan, bar(10180, 10400, 10390, T0 + 2 * BAR));
    expect(u.trigger).toBeUndefined();
    expect(u.plan.trailingStop).toBe('10300'); // ratchets up with the high
    u = updateExitPlan(u.plan, bar(10350, 10360, 10355, T0 + 3 * BAR));
    expect(u.plan.trailingStop).toBe('10300'); // never falls
    u = updateExitPlan(u.plan, bar(10290, 10340, 10300, T0 + 4 * BAR));
    expect(u.trigger).toMatchObject({ kind: 'trailing', fraction: 1, volume: '5.00000000', level: '10300' });
    expect(u.plan.done).toBe(true);
  });

  it('refreshes the ATR for the trailing stop, and keeps the entry ATR of a plan without one', () => {
    const closed = { ...bar(9950, 10000, 9990, T0 + BAR), atr: 120 };
    // Nothing crossed (the shortcut) and a new high (the decimal path): both refresh a trailing plan's ATR.
    expect(updateExitPlan(plan(), closed).plan.atr).toBe('120');
    expect(updateExitPlan(plan(), { ...closed, high: 10100 }).plan.atr).toBe('120');
    const noTrail = createExitPlan({
      market: 'KRW-X',
      entryPrice: '10000',
      volume: '10',
      atr: '100',
      config: { ...config, trailingAtrMultiple: 0 },
      openedTs: T0,
    });
    expect(updateExitPlan(noTrail, closed)).toEqual({ plan: noTrail });
    expect(updateExitPlan(noTrail, { ...closed, high: 10100 }).plan.atr).toBe('100');
  });

  it('sells everything at the last rung, also when one bar crosses every rung', () => {
    const u = updateExitPlan(plan(), bar(10000, 10600, 10550));
    expect(u.trigger).toMatchObject({ kind: 'take_profit', fraction: 1, volume: '10.00000000', level: '10500' });
    expect(u.plan.done).toBe(true);
  });

  it('sells everything when the slice or the rest would be under the minimum total', () => {
    // 5 units: half = 2.5 x 10,220 = 25,550 < 30,000
    const small = createExitPlan({
      market: 'KRW-X',
      entryPrice: '10000',
      volume: '5',
      atr: '100',
      config,
      openedTs: T0,
    });
    const u = updateExitPlan(small, bar(9900, 10250, 10220));
    expect(u.trigger).toMatchObject({ kind: 'take_profit', fraction: 1, volume: '5.00000000' });
  });

  it('exits a blow-off top on RSI above 80 with a volume spike', () => {
    expect(
      updateExitPlan(plan(), { ...bar(10000, 10150, 10100), rsi: 85, volumeSpike: false }).trigger,
    ).toBeUndefined();
    const u = updateExitPlan(plan(), { ...bar(10000, 10150, 10100), rsi: 85, volumeSpike: true });
    expect(u.trigger).toMatchObject({ kind: 'blow_off', fraction: 1 });
  });

  it('exits after N bars without progress, not before and not with progress', () => {
    expect(updateExitPlan(plan(), bar(9950, 10050, 10040, T0 + 3 * BAR)).trigger).toBeUndefined();
    const late = updateExitPlan(plan(), bar(9950, 10050, 10040, T0 + 4 * BAR));
    expect(late.trigger).toMatchObject({ kind: 'time', fraction: 1 });
    expect(updateExitPlan(plan(), bar(9950, 10080, 10060, T0 + 4 * BAR)).trigger).toBeUndefined();
  });

  it('never sells more than the remaining volume reconciled from real fills', () => {
    const p = withRemainingVolume(plan(), '3.5');
    const u = updateExitPlan(p, bar(9900, 10250, 10220));
    // Half of the original 10 is 5, but only 3.5 are held.
    expect(u.trigger?.volume).toBe('3.50000000');
    expect(u.plan.done).toBe(true);
  });

  it("has no stop when the config says 'none': a crash sells nothing, the other exits still work", () => {
    const noStop = createExitPlan({
      market: 'KRW-X',
      entryPrice: '10000',
      volume: '10',
      atr: '0',
      config: { ...config, stopMode: 'none' },
      openedTs: T0,
    });
    expect(noStop.stop).toBeUndefined();
    // Down 99 %: a stop at any distance the validator allows (at most 50 %) would have sold.
    const crash = updateExitPlan(noStop, bar(100, 10000, 100));
    expect(crash.trigger).toBeUndefined();
    expect(crash.plan.remaining).toBe('10');
    // The take-profit ladder is unchanged; the trailing stop (ATR from the bar close) still follows the first rung.
    let u = updateExitPlan(noStop, { ...bar(9900, 10250, 10220), atr: 100 });
    expect(u.trigger).toMatchObject({ kind: 'take_profit', volume: '5.00000000', level: '10200' });
    expect(u.plan.trailingStop).toBe('10150');
    u = updateExitPlan(u.plan, bar(10100, 10200, 10120, T0 + 2 * BAR));
    expect(u.trigger).toMatchObject({ kind: 'trailing', level: '10150' });
  });

  it('refuses a broken observation with a clear error', () => {
    expect(() => updateExitPlan(plan(), { price: Number.NaN, high: 1, low: 1, ts: T0 })).toThrow(
      /must be positive numbers/,
    );
    expect(() => updateExitPlan(plan(), { price: 10000, high: 10000, low: 0, ts: T0 })).toThrow(
      /must be positive numbers/,
    );
  });

  it('is deterministic JSON in, JSON out', () => {
    const p = plan();
    const a = updateExitPlan(p, bar(9900, 10250, 10220));
    const b = updateExitPlan(JSON.parse(JSON.stringify(p)) as ExitPlan, bar(9900, 10250, 10220));
    expect(a).toEqual(b);
    expect(JSON.parse(JSON.stringify(a.plan))).toEqual(a.plan);
  });

  it("takes the shortcut (the same plan back) for a bar inside a high kept with all of its double's digits", () => {
    // A high such as 10134.567890123457 (17 significant digits, the shortest form of its double) came from a bar.
    const high = 10134.567890123457;
    const u = updateExitPlan(plan(), bar(9900, high, 10000));
    expect(u.trigger).toBeUndefined();
    expect(u.plan.highest).toBe(String(high));
    const inside = bar(9950, 10134.567890123455, 10100, T0 + 2 * BAR); // the double just below

    const next = updateExitPlan(u.plan, inside);
    expect(next.plan).toBe(u.plan);
    expect(next).toEqual(updateExitPlanExactly(u.plan, inside));
    expect(updateExitPlan(u.plan, { ...inside, high }).plan).toBe(u.plan); // the kept high itself: no new high
    // The double just above the kept high is a new high, as decimal.js sees it too.
    const above = bar(9950, 10134.567890123459, 10100, T0 + 3 * BAR);
    expect(updateExitPlan(u.plan, above).plan.highest).toBe('10134.567890123459');
    expect(updateExitPlan(u.plan, above)).toEqual(updateExitPlanExactly(u.plan, above));
  });

  it('property: the shortcut for bars that change nothing gives exactly what the decimal path gives', () => {
    const stopModes = fc.constantFrom('atr' as const, 'pct' as const, 'none' as const);
    fc.assert(
      fc.property(
        fc.double({ min: 0.0001, max: 2e8, noNaN: true }),
        stopModes,
        fc.boolean(),
        fc.array(
          fc.record({
            ret: fc.double({ min: -0.06, max: 0.06, noNaN: true }),
            range: fc.double({ min: 0, max: 0.04, noNaN: true }),
            atr: fc.option(fc.double({ min: 0.001, max: 0.05, noNaN: true }), { nil: undefined }),
            rsi: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
            spike: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        fc.constantFrom(0, 1, 2.5),
        (entry, stopMode, string, bars, trailingAtrMultiple) => {
          let fast = createExitPlan({
            market: 'KRW-X',
            entryPrice: entry,
            volume: '3',
            atr: entry * 0.01,
            config: { ...config, stopMode, timeExitBars: 30, trailingAtrMultiple },
            openedTs: T0,
          });
          let exact = fast;
          let price = entry;
          bars.forEach((b, i) => {
            price = Math.max(price * (1 + b.ret), 1e-6);
            const obs = {
              price: string ? String(price) : price,
              high: price * (1 + b.range),
              low: price * (1 - b.range),
              ts: T0 + (i + 1) * BAR,
              rsi: b.rsi,
              volumeSpike: b.spike,
              atr: b.atr === undefined ? undefined : price * b.atr,
            };
            const a = updateExitPlan(fast, obs);
            const e = updateExitPlanExactly(exact, obs);
            expect(a).toEqual(e);
            fast = a.plan;
            exact = e.plan;
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: ladders never sell more than held and every level is on the ask grid', () => {
    const arbLadder = fc
      .array(fc.tuple(fc.double({ min: 0.1, max: 10, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true })), {
        minLength: 1,
        maxLength: 4,
      })
      .map((rungs) => {
        let at = 0;
        let left = 1;
        return rungs.map(([step, share]) => {
          at += step;
          const fraction = Math.max(0.01, Math.min(left, share * left));
          left -= fraction;
          return { atPct: at, fraction };
        });
      });
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 2e8, noNaN: true }),
        fc.double({ min: 0.0001, max: 1000, noNaN: true }),
        arbLadder,
        fc.array(
          fc.tuple(fc.double({ min: -0.08, max: 0.08, noNaN: true }), fc.double({ min: 0, max: 0.05, noNaN: true })),
          {
            maxLength: 40,
          },
        ),
        (entry, volume, takeProfit, moves) => {
          let p = createExitPlan({
            market: 'KRW-X',
            entryPrice: entry,
            volume,
            atr: entry * 0.01,
            config: { ...config, takeProfit },
            openedTs: T0,
          });
          const held = new Decimal(p.volume);
          let sold = new Decimal(0);
          let price = entry;
          moves.forEach(([ret, range], i) => {
            price = Math.max(price * (1 + ret), 1e-6);
            const u = updateExitPlan(p, {
              price,
              high: price * (1 + range),
              low: price * (1 - range),
              ts: T0 + (i + 1) * BAR,
            });
            if (u.trigger) {
              expect(u.trigger.fraction).toBeGreaterThan(0);
              expect(u.trigger.fraction).toBeLessThanOrEqual(1);
              expect(new Decimal(u.trigger.volume).lte(p.remaining)).toBe(true);
              if (u.trigger.level) expect(isOnTick('KRW', u.trigger.level)).toBe(true);
              sold = sold.plus(u.trigger.volume);
            }
            p = u.plan;
          });
          expect(sold.lte(held)).toBe(true);
          expect(sold.plus(p.remaining).eq(held)).toBe(true);
          for (const level of [p.stop ?? '', ...p.ladder.map((r) => r.level)])
            expect(isOnTick('KRW', level)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
