import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_CONFIG } from './config';
import {
  checkEntry,
  clearHalt,
  emptyRiskState,
  equityPeak,
  haltEntries,
  kstDay,
  nextKstDayStart,
  onBtcPrice,
  onEquity,
  onFill,
  onPositionClosed,
} from './limits';
import type { RiskState } from './types';

const cfg = DEFAULT_RISK_CONFIG;
// 2026-03-10 09:00 KST = 00:00 UTC
const T0 = Date.UTC(2026, 2, 10, 0, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;

function withOpen(state: RiskState, markets: string[], ts = T0): RiskState {
  return markets.reduce(
    (s, m, i) => onFill(s, { positionId: `p${i}-${m}`, market: m, side: 'bid', totalKrw: '100000', ts }),
    state,
  );
}

describe('KST days', () => {
  it('switch at 15:00 UTC', () => {
    expect(kstDay(Date.UTC(2026, 0, 1, 14, 59, 59))).toBe('2026-01-01');
    expect(kstDay(Date.UTC(2026, 0, 1, 15, 0, 0))).toBe('2026-01-02');
    expect(nextKstDayStart(Date.UTC(2026, 0, 1, 3, 0, 0))).toBe(Date.UTC(2026, 0, 1, 15, 0, 0));
    expect(nextKstDayStart(Date.UTC(2026, 0, 1, 15, 0, 0))).toBe(Date.UTC(2026, 0, 2, 15, 0, 0));
  });
});

describe('checkEntry', () => {
  it('allows an entry on a fresh account', () => {
    expect(checkEntry(onEquity(emptyRiskState(), '10000000', T0, cfg), { market: 'KRW-BTC' }, cfg, T0)).toEqual({
      allowed: true,
    });
  });

  it('halts entries for the rest of the KST day after the daily loss limit', () => {
    let s = onEquity(emptyRiskState(), '10000000', T0, cfg);
    s = onPositionClosed(s, { positionId: 'a', market: 'KRW-ETH', pnlKrw: '-299999', ts: T0 + MIN });
    expect(checkEntry(s, { market: 'KRW-BTC' }, cfg, T0 + 2 * MIN).allowed).toBe(true); // 2.99999% < 3%
    s = onPositionClosed(s, { positionId: 'b', market: 'KRW-ETH', pnlKrw: '-1', ts: T0 + 3 * MIN }); // exactly 3%
    const blocked = checkEntry(s, { market: 'KRW-BTC' }, cfg, T0 + 4 * MIN);
    expect(blocked).toMatchObject({ allowed: false, code: 'DailyLossLimit' });
    // A later win the same day does not lift it.
    s = onPositionClosed(s, { positionId: 'c', market: 'KRW-ETH', pnlKrw: '200000', ts: T0 + 5 * MIN });
    expect(s.dailyPnl.at(-1)).toEqual({ day: '2026-03-10', pnlKrw: '-100000', lowKrw: '-300000' });
    expect(checkEntry(s, { market: 'KRW-BTC' }, cfg, T0 + 6 * MIN).allowed).toBe(false);
    // 2026-03-10 23:59 KST still blocked; 2026-03-11 00:00 KST (15:00 UTC) free again.
    expect(checkEntry(s, { market: 'KRW-BTC' }, cfg, Date.UTC(2026, 2, 10, 14, 59)).allowed).toBe(false);
    const nextDay = Date.UTC(2026, 2, 10, 15, 0);
    expect(checkEntry(onEquity(s, '9700000', nextDay, cfg), { market: 'KRW-BTC' }, cfg, nextDay).allowed).toBe(true);
  });

  it('halts the strategy at the drawdown limit from the window peak until cleared', () => {
    let s = onEquity(emptyRiskState(), '10000000', T0, cfg);
    s = onEquity(s, '8600000', T0 + DAY, cfg); // 14%
    expect(checkEntry(s, { market: 'KRW-BTC' }, cfg, T0 + DAY).allowed).toBe(true);
    s = onEquity(s, '8500000', T0 + 2 * DAY, cfg); // 15%
    expect(checkEntry(s, { market: 'KRW-BTC' }, cfg, T0 + 2 * DAY)).toMatchObject({
      allowed: false,
      code: 'MaxDrawdown',
    });
    // Stays halted even when the next KST day comes, until someone clears it.
    expect(checkEntry(s, { market: 'KRW-BTC' }, cfg, T0 + 3 * DAY).allowed).toBe(false);
    expect(checkEntry(clearHalt(s, 'drawdown'), { market: 'KRW-BTC' }, cfg, T0 + 3 * DAY).allowed).toBe(true);
  });

  it('halts at the limit to the last decimal, a hair above it too, never a hair below', () => {
    const at = (equity: string) =>
      onEquity(onEquity(emptyRiskState(), '10000000', T0, cfg), equity, T0 + DAY, cfg).halts.map((h) => h.kind);
    expect(at('8500000.0000001')).toEqual([]); // 14.999999999999%
    expect(at('8500000')).toEqual(['drawdown']);
    expect(at('8499999.9999999')).toEqual(['drawdown']);
    expect(at('10000000')).toEqual([]);
  });

  it('property: halts exactly when a valuation falls maxDrawdownPct below the window peak (a decimal reference)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 3, 30, 90),
        fc.array(
          fc.record({
            // Valuations on and around the limit: 1 - k/1000 of the running high, k up to 200 (15 % at k = 150).
            k: fc.oneof(fc.constantFrom(149, 150, 151), fc.integer({ min: -20, max: 200 })),
            hair: fc.constantFrom('0', '0.0000001', '-0.0000001', '0.000000000001'),
            hours: fc.integer({ min: 0, max: 40 }),
          }),
          // Long enough for the 90-day peak list to fill and trim.
          { minLength: 1, maxLength: 200 },
        ),
        (drawdownWindowDays, steps) => {
          const c = { ...cfg, maxDrawdownPct: 15, drawdownWindowDays };
          let state = emptyRiskState();
          let ts = T0;
          let high = new Decimal(10_000_000);
          const seen: { day: string; equity: Decimal }[] = [];
          let halted = false;
          for (const step of steps) {
            ts += step.hours * 3_600_000;
            const equity = high.mul(1 - step.k / 1000).plus(step.hair);
            if (equity.gt(high)) high = equity;
            state = onEquity(state, equity.toFixed(), ts, c);
            seen.push({ day: kstDay(ts), equity });
            const first = kstDay(ts - (c.drawdownWindowDays - 1) * DAY);
            const peak = Decimal.max(...seen.filter((v) => v.day >= first).map((v) => v.equity));
            halted ||= peak.minus(equity).div(peak).mul(100).gte(c.maxDrawdownPct);
            expect(state.halts.some((h) => h.kind === 'drawdown')).toBe(halted);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('kstDay gives the calendar day for any number of days in any order', () => {
    for (let d = 0; d < 1200; d += 1) {
      const ts = T0 + ((d * 7919) % 1200) * DAY + 3_600_000;
      expect(kstDay(ts)).toBe(new Date(ts + 9 * 3_600_000).toISOString().slice(0, 10));
    }
  });

  it('a valuation repeated the same day changes nothing; the next day it is looked at afresh', () => {
    const c = { ...cfg, drawdownWindowDays: 2, maxDrawdownPct: 10 };
    let s = onEquity(emptyRiskState(), '10000000', T0, c);
    s = onEquity(s, '9500000', T0 + MIN, c);
    expect(onEquity(s, '9500000', T0 + 2 * MIN, c)).toBe(s);
    const nextDay = onEquity(s, '9500000', T0 + DAY, c);
    expect(nextDay.dayOpenEquity.at(-1)).toEqual({ day: kstDay(T0 + DAY), equityKrw: '9500000' });
    // The same figure again, the day after the peak left the window: measured against the newer peak, no halt.
    const later = onEquity(onEquity(nextDay, '8900000', T0 + 3 * DAY, c), '8900000', T0 + 3 * DAY + MIN, c);
    expect(later.halts).toEqual([]);
    // A fall past the limit the same day is a change: halted at once, also right after an unchanged valuation.
    expect(onEquity(s, '8900000', T0 + 3 * MIN, c).halts.map((h) => h.kind)).toEqual(['drawdown']);
  });

  it('measures drawdown only against peaks inside the window', () => {
    let s = onEquity(emptyRiskState(), '10000000', T0, cfg);
    s = onEquity(s, '8000000', T0 + 30 * DAY, cfg); // the 10M peak is 31 KST days back: outside 30
    expect(s.halts).toEqual([]);
    const s90 = onEquity(onEquity(emptyRiskState(), '10000000', T0, cfg), '8000000', T0 + 30 * DAY, {
      ...cfg,
      drawdownWindowDays: 90,
    });
    expect(s90.halts.map((h) => h.kind)).toEqual(['drawdown']);
  });

  it('limits open positions, one per coin, and entries per coin per day', () => {
    const s = withOpen(emptyRiskState(), ['KRW-A', 'KRW-B', 'KRW-C', 'KRW-D']);
    expect(checkEntry(s, { market: 'KRW-A' }, cfg, T0)).toMatchObject({ allowed: false, code: 'PositionOpenInCoin' });
    expect(checkEntry(s, { market: 'KRW-A' }, { ...cfg, onePositionPerCoin: false }, T0).allowed).toBe(true);
    const five = withOpen(s, ['KRW-E']);
    expect(checkEntry(five, { market: 'KRW-F' }, cfg, T0)).toMatchObject({ allowed: false, code: 'MaxOpenPositions' });

    let e = emptyRiskState();
    for (let i = 0; i < 3; i++) {
      e = onFill(e, { positionId: `x${i}`, market: 'KRW-X', side: 'bid', totalKrw: '50000', ts: T0 + i * MIN });
      e = onPositionClosed(e, { positionId: `x${i}`, market: 'KRW-X', pnlKrw: '10', ts: T0 + i * MIN + 1 });
    }
    expect(checkEntry(e, { market: 'KRW-X' }, cfg, T0 + 10 * MIN)).toMatchObject({
      allowed: false,
      code: 'EntriesPerDay',
    });
    expect(checkEntry(e, { market: 'KRW-Y' }, cfg, T0 + 10 * MIN).allowed).toBe(true);
    expect(checkEntry(e, { market: 'KRW-X' }, cfg, T0 + DAY).allowed).toBe(true);
  });

  it('waits out the cooldown after a losing exit in the same coin', () => {
    let s = onFill(emptyRiskState(), { positionId: 'p', market: 'KRW-X', side: 'bid', totalKrw: '50000', ts: T0 });
    s = onPositionClosed(s, { positionId: 'p', market: 'KRW-X', pnlKrw: '-500', ts: T0 + MIN });
    expect(checkEntry(s, { market: 'KRW-X' }, cfg, T0 + 60 * MIN)).toMatchObject({
      allowed: false,
      code: 'CooldownAfterLoss',
    });
    expect(checkEntry(s, { market: 'KRW-X' }, cfg, T0 + 61 * MIN).allowed).toBe(true);
    expect(checkEntry(s, { market: 'KRW-Z' }, cfg, T0 + 2 * MIN).allowed).toBe(true);
  });

  it('refuses an entry highly correlated with an open position', () => {
    const s = withOpen(emptyRiskState(), ['KRW-ETH']);
    const c = (corr: number) => ({ market: 'KRW-ETC', correlations: { 'KRW-ETH': corr } });
    expect(checkEntry(s, c(0.9), cfg, T0)).toMatchObject({ allowed: false, code: 'Correlated' });
    expect(checkEntry(s, c(0.85), cfg, T0).allowed).toBe(true);
  });

  it('halts entries after BTC falls 3% within 15 minutes, for 60 minutes', () => {
    let s = emptyRiskState();
    s = onBtcPrice(s, 100_000_000, T0, cfg);
    s = onBtcPrice(s, 101_000_000, T0 + 2 * MIN, cfg);
    s = onBtcPrice(s, 98_000_000, T0 + 10 * MIN, cfg); // 2.97% below 101M
    expect(s.volatilityHaltUntil).toBe(0);
    s = onBtcPrice(s, 97_970_000, T0 + 12 * MIN, cfg); // 3.0% below 101M
    expect(s.volatilityHaltUntil).toBe(T0 + 72 * MIN);
    expect(checkEntry(s, { market: 'KRW-X' }, cfg, T0 + 71 * MIN)).toMatchObject({
      allowed: false,
      code: 'VolatilityHalt',
    });
    expect(checkEntry(s, { market: 'KRW-X' }, cfg, T0 + 72 * MIN).allowed).toBe(true);
    // A fall spread over more than the window does not trigger.
    let slow = onBtcPrice(emptyRiskState(), 100_000_000, T0, cfg);
    slow = onBtcPrice(slow, 96_000_000, T0 + 16 * MIN, cfg);
    expect(slow.volatilityHaltUntil).toBe(0);
    expect(slow.btcMinutes.length).toBe(1);
  });

  it('tracks cost on partial sells and frees the slot on close', () => {
    let s = onFill(emptyRiskState(), { positionId: 'p', market: 'KRW-X', side: 'bid', totalKrw: '100000', ts: T0 });
    s = onFill(s, { positionId: 'p', market: 'KRW-X', side: 'bid', totalKrw: '20000', ts: T0 + 1 });
    expect(s.open.p.costKrw).toBe('120000');
    expect(s.entries.perCoin['KRW-X']).toBe(1);
    s = onFill(s, { positionId: 'p', market: 'KRW-X', side: 'ask', totalKrw: '70000', ts: T0 + 2, costShareSold: 0.5 });
    expect(s.open.p.costKrw).toBe('60000');
    s = onPositionClosed(s, { positionId: 'p', market: 'KRW-X', pnlKrw: '1000', ts: T0 + 3 });
    expect(s.open).toEqual({});
    expect(s.dailyPnl).toEqual([{ day: '2026-03-10', pnlKrw: '1000', lowKrw: '0' }]);
  });

  it('property: a halted account never opens a position', () => {
    // Every way to halt: by hand, drawdown, daily loss, BTC crash; then any market, any time inside the halt.
    const halts: Record<string, (s: RiskState) => { state: RiskState; until: number }> = {
      manual: (s) => ({ state: haltEntries(s, T0, 'emergency stop'), until: Number.POSITIVE_INFINITY }),
      drawdown: (s) => ({ state: onEquity(s, '8400000', T0, cfg), until: Number.POSITIVE_INFINITY }),
      dailyLoss: (s) => ({
        state: onPositionClosed(s, { positionId: 'l', market: 'KRW-Q', pnlKrw: '-300000', ts: T0 }),
        until: nextKstDayStart(T0),
      }),
      volatility: (s) => ({
        state: onBtcPrice(onBtcPrice(s, 100_000_000, T0 - 5 * MIN, cfg), 96_000_000, T0, cfg),
        until: T0 + cfg.volatilityHaltMinutes * MIN,
      }),
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(halts)),
        fc.array(fc.constantFrom('KRW-A', 'KRW-B'), { maxLength: 2 }),
        fc.constantFrom('KRW-A', 'KRW-C', 'KRW-BTC'),
        fc.integer({ min: 0, max: 100 * DAY }),
        fc.boolean(),
        (kind, held, market, dt, withCorrelations) => {
          const base = withOpen(onEquity(emptyRiskState(), '10000000', T0 - MIN, cfg), held, T0 - MIN);
          const { state, until } = halts[kind](base);
          const now = T0 + dt;
          if (now >= until) return;
          const candidate = withCorrelations ? { market, correlations: { 'KRW-A': 0 } } : { market };
          expect(checkEntry(state, candidate, cfg, now).allowed).toBe(false);
          // Recording more equity, fills or closes never lifts a halt early either.
          const equity = kind === 'drawdown' ? '8400001' : '10000000';
          const later = onPositionClosed(onEquity(state, equity, now, cfg), {
            positionId: 'x',
            market,
            pnlKrw: '5000',
            ts: now,
          });
          expect(checkEntry(later, candidate, cfg, now).allowed).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a valuation equal to the day's peak leaves the state as it is (a flat account's every valuation)", () => {
    const s = onEquity(emptyRiskState(), '10000000.5', T0, cfg);
    const later = T0 + 3_600_000;
    expect(onEquity(s, '10000000.5', later, cfg)).toBe(s);
    // Written differently, the same amount: the row already says it.
    expect(onEquity(s, '10000000.50', later, cfg)).toBe(s);
    expect(onEquity(s, '10000000.4', later, cfg).equityPeaks).toBe(s.equityPeaks);
    expect(onEquity(s, '10000000.6', later, cfg).equityPeaks).toEqual([{ day: kstDay(T0), peakKrw: '10000000.6' }]);
  });

  it('keeps its memory bounded', () => {
    let s = emptyRiskState();
    for (let d = 0; d < 200; d++) {
      s = onEquity(s, 10_000_000 + d, T0 + d * DAY, cfg);
      s = onPositionClosed(s, { positionId: `p${d}`, market: 'KRW-X', pnlKrw: '1', ts: T0 + d * DAY });
      for (let m = 0; m < 30; m++) s = onBtcPrice(s, 100_000_000, T0 + d * DAY + m * MIN, cfg);
    }
    expect(s.equityPeaks.length).toBe(90);
    expect(s.dailyPnl.length).toBe(7);
    expect(s.btcMinutes.length).toBeLessThanOrEqual(16);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it("the drawdown window's peak, kept up as each valuation comes in, is the one a full scan of the rows gives", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 95 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * DAY }), fc.integer({ min: 9_000_000, max: 11_000_000 })), {
          minLength: 1,
          maxLength: 300,
        }),
        (windowDays, steps) => {
          const config = { ...cfg, drawdownWindowDays: windowDays, maxDrawdownPct: 5 };
          let kept = emptyRiskState();
          let scanned = emptyRiskState();
          let ts = T0;
          for (const [dt, equity] of steps) {
            ts += dt;
            kept = onEquity(kept, equity, ts, config);
            // A copy of the list is a list never seen: its peak is scanned row by row.
            scanned = onEquity({ ...scanned, equityPeaks: [...scanned.equityPeaks] }, equity, ts, config);
            // The drawdown halt's reason names the peak it was measured from.
            expect(kept.halts).toEqual(scanned.halts);
            expect(equityPeak(kept, ts, windowDays)?.toFixed()).toBe(
              equityPeak({ ...kept, equityPeaks: [...kept.equityPeaks] }, ts, windowDays)?.toFixed(),
            );
            kept = clearHalt(kept, 'drawdown');
            scanned = clearHalt(scanned, 'drawdown');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
