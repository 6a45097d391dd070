import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOnTick, minimumOrderTotal } from '../market';
import { DEFAULT_RISK_CONFIG } from './config';
import { sizeEntry } from './sizing';
import type { RiskConfig, SizeEntryInput } from './types';

const open: RiskConfig = { ...DEFAULT_RISK_CONFIG, maxCoinWeightPct: 100, maxTotalExposurePct: 100 };
const base: SizeEntryInput = {
  market: 'KRW-BTC',
  equityKrw: '10000000',
  freeKrw: '10000000',
  price: '100000000',
  stopPrice: '98000000',
  rules: { minTotal: '5000', feeRate: '0.0005' },
  exposureKrw: '0',
  coinExposureKrw: '0',
  config: open,
};

describe('sizeEntry', () => {
  it('risks 1% of equity over stop distance plus round-trip fees', () => {
    // loss/unit = 2,000,000 + 100,000,000 x 0.0005 + 98,000,000 x 0.0005 = 2,099,000
    // volume = 100,000 / 2,099,000 = 0.047641734... -> 0.04764173; total = 4,764,173
    const r = sizeEntry(base);
    expect(r).toEqual({
      ok: true,
      price: '100000000',
      volume: '0.04764173',
      totalKrw: '4764173',
      lockedKrw: '4766555.0865',
      boundBy: 'risk',
    });
  });

  it('never sizes an order above the absolute per-order cap', () => {
    const r = sizeEntry({ ...base, config: { ...open, maxOrderKrw: 1_000_000 } });
    expect(r.ok && r.boundBy).toBe('max_order');
    expect(r.ok && new Decimal(r.totalKrw).lte(1_000_000)).toBe(true);
    expect(r.ok && new Decimal(r.totalKrw).gt(999_000)).toBe(true);
  });

  it("keeps the session's coins within its absolute capital cap, and refuses once it is full", () => {
    const capped = sizeEntry({ ...base, exposureKrw: '1500000', config: { ...open, maxCapitalKrw: 2_000_000 } });
    expect(capped.ok && capped.boundBy).toBe('session_capital');
    expect(capped.ok && new Decimal(capped.totalKrw).lte(500_000)).toBe(true);
    const full = sizeEntry({ ...base, exposureKrw: '2000000', config: { ...open, maxCapitalKrw: 2_000_000 } });
    expect(full.ok).toBe(false);
    expect(!full.ok && full.code).toBe('CapitalFull');
  });

  it('derives the stop from ATR when no stop price is given', () => {
    const r = sizeEntry({ ...base, stopPrice: undefined, atr: '1000000' }); // 2 x ATR = 2,000,000
    expect(r.ok && r.volume).toBe('0.04764173');
  });

  it('counts the whole entry as at risk when there is no stop', () => {
    // loss/unit = 100,000,000 + 100,000,000 x 0.0005 (nothing left to pay an exit fee on at worst) = 100,050,000
    // volume = 100,000 / 100,050,000 = 0.00099950... -> total 99,950 KRW
    const none = { ...open, exit: { ...open.exit, stopMode: 'none' as const } };
    const r = sizeEntry({ ...base, stopPrice: undefined, atr: undefined, config: none });
    expect(r).toMatchObject({ ok: true, volume: '0.00099950', totalKrw: '99950', boundBy: 'risk' });
  });

  it('floors the price onto the bid grid', () => {
    const r = sizeEntry({ ...base, price: '100000999', stopPrice: undefined, atr: '1000000' });
    expect(r.ok && r.price).toBe('100000000');
  });

  it('clamps to the per-coin weight', () => {
    // 20% of 10,000,000 = 2,000,000 -> 0.02 BTC
    const r = sizeEntry({ ...base, config: DEFAULT_RISK_CONFIG });
    expect(r).toMatchObject({ ok: true, volume: '0.02000000', totalKrw: '2000000', boundBy: 'coin_weight' });
    const r2 = sizeEntry({ ...base, config: DEFAULT_RISK_CONFIG, coinExposureKrw: '1500000' });
    expect(r2).toMatchObject({ ok: true, totalKrw: '500000', boundBy: 'coin_weight' });
  });

  it('clamps to the total exposure cap and refuses when it is full', () => {
    // 80% of 10,000,000 = 8,000,000; 7,000,000 used -> 1,000,000 left
    const r = sizeEntry({ ...base, config: DEFAULT_RISK_CONFIG, exposureKrw: '7000000' });
    expect(r).toMatchObject({ ok: true, totalKrw: '1000000', boundBy: 'total_exposure' });
    const full = sizeEntry({ ...base, config: DEFAULT_RISK_CONFIG, exposureKrw: '8000000' });
    expect(full).toMatchObject({ ok: false, code: 'ExposureFull' });
  });

  it('keeps the fee inside free KRW', () => {
    // 1,000,000 / 1.0005 = 999,500.249... -> 0.00999500 BTC = 999,500; locked 999,999.75
    const r = sizeEntry({ ...base, freeKrw: '1000000' });
    expect(r).toMatchObject({
      ok: true,
      volume: '0.00999500',
      totalKrw: '999500',
      lockedKrw: '999999.75',
      boundBy: 'free_krw',
    });
  });

  it('caps by fractional Kelly and refuses a negative edge', () => {
    // Kelly = 0.5 - 0.5 / 2 = 0.25; x 0.1 x 10,000,000 = 250,000
    const kellyOn = { ...open, kellyFraction: 0.1 };
    const r = sizeEntry({ ...base, config: kellyOn, kelly: { winRate: 0.5, payoffRatio: 2 } });
    expect(r).toMatchObject({ ok: true, totalKrw: '250000', boundBy: 'kelly' });
    const bad = sizeEntry({ ...base, config: kellyOn, kelly: { winRate: 0.3, payoffRatio: 1 } });
    expect(bad).toMatchObject({ ok: false, code: 'NoEdge' });
  });

  it('does not place an order under the minimum total, naming the clamp', () => {
    // 2% of 1,000,000 = 20,000 < 30,000 bot minimum
    const r = sizeEntry({ ...base, equityKrw: '1000000', config: { ...DEFAULT_RISK_CONFIG, maxCoinWeightPct: 2 } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('UnderMinTotal');
      expect(r.reason).toContain('coin_weight');
      expect(r.reason).toContain('30000');
    }
    const poor = sizeEntry({ ...base, freeKrw: '20000' });
    expect(poor).toMatchObject({ ok: false, code: 'InsufficientFunds' });
    // 20% of 400,000 = 80,000 clears the bot minimum but not a market minimum of 100,000
    const bigMin = sizeEntry({
      ...base,
      equityKrw: '400000',
      config: DEFAULT_RISK_CONFIG,
      rules: { minTotal: '100000' },
    });
    expect(bigMin).toMatchObject({ ok: false, code: 'UnderMinTotal' });
  });

  it('stays inside the cap when the division rounds up (found by the property below)', () => {
    // 9% of 3,655,266,240 = 328,973,961.6; / 0.00189 = 174,060,297,142.857142857..., which a 20-digit
    // division rounds up to ...142.85714286 (0.00000000001 KRW over the cap).
    const r = sizeEntry({
      ...base,
      market: 'KRW-X',
      equityKrw: '3655266240',
      freeKrw: '329138449',
      price: '0.00189',
      stopPrice: undefined,
      atr: '0.00000189',
      config: { ...DEFAULT_RISK_CONFIG, maxCoinWeightPct: 9, maxTotalExposurePct: 9 },
    });
    expect(r).toMatchObject({ ok: true, volume: '174060297142.85714285', boundBy: 'coin_weight' });
    if (r.ok) expect(new Decimal(r.totalKrw).lte('328973961.6')).toBe(true);
  });

  it('rejects bad input with a named reason', () => {
    expect(sizeEntry({ ...base, equityKrw: 'abc' })).toMatchObject({ ok: false, code: 'InvalidInput' });
    expect(sizeEntry({ ...base, price: '-1' })).toMatchObject({ ok: false, code: 'InvalidInput' });
    expect(sizeEntry({ ...base, stopPrice: '100000000' })).toMatchObject({ ok: false, code: 'NoStopDistance' });
    expect(sizeEntry({ ...base, stopPrice: undefined })).toMatchObject({ ok: false, code: 'NoStopDistance' });
    expect(sizeEntry({ ...base, market: 'EUR-BTC' })).toMatchObject({ ok: false, code: 'InvalidInput' });
    expect(sizeEntry({ ...base, price: '0.000000005', stopPrice: undefined, atr: '0.000000001' })).toMatchObject({
      ok: false,
      code: 'InvalidInput',
      reason: expect.stringMatching(/below the smallest tick/),
    });
  });

  it('property: every sized order is on the grid, >= minimum, within every cap and the free KRW', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100_000, max: 5_000_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.001, max: 2e8, noNaN: true }),
        fc.double({ min: 0.001, max: 0.3, noNaN: true }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom('5000', '50000'),
        (equity, freeShare, usedShare, price, stopFrac, coinPct, totalPct, minTotal) => {
          const config = {
            ...DEFAULT_RISK_CONFIG,
            maxCoinWeightPct: Math.min(coinPct, totalPct),
            maxTotalExposurePct: totalPct,
          };
          const exposure = new Decimal(equity).mul(totalPct).div(100).mul(usedShare).toFixed(0);
          const input: SizeEntryInput = {
            market: 'KRW-XRP',
            equityKrw: equity,
            freeKrw: new Decimal(equity).mul(freeShare).toFixed(0),
            price,
            stopPrice: undefined,
            atr: price * stopFrac,
            rules: { minTotal, feeRate: '0.0005' },
            exposureKrw: exposure,
            coinExposureKrw: '0',
            config,
          };
          const r = sizeEntry(input);
          if (!r.ok) return;
          const total = new Decimal(r.totalKrw);
          expect(isOnTick('KRW', r.price)).toBe(true);
          expect(new Decimal(r.price).lte(price)).toBe(true);
          expect(total.gte(minimumOrderTotal(minTotal))).toBe(true);
          expect(total.eq(new Decimal(r.price).mul(r.volume))).toBe(true);
          expect(new Decimal(r.volume).decimalPlaces()).toBeLessThanOrEqual(8);
          expect(total.plus(exposure).lte(new Decimal(equity).mul(totalPct).div(100))).toBe(true);
          expect(total.lte(new Decimal(equity).mul(config.maxCoinWeightPct).div(100))).toBe(true);
          expect(new Decimal(r.lockedKrw).lte(input.freeKrw)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
