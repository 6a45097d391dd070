import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bidLocked, decimalStringOf, minimumOrderTotal } from './money';
import { floorVolume, isOnTick, roundToTick, stepTicks, tickSize } from './ticks';

describe('KRW tick table (2025-07-31)', () => {
  it.each([
    ['150000000', '1000'],
    ['1500000', '1000'],
    ['999999', '500'],
    ['500000', '500'],
    ['100000', '100'],
    ['99999', '50'],
    ['10000', '10'],
    ['9999', '5'],
    ['5000', '5'],
    ['4999', '1'],
    ['100', '1'],
    ['99.9', '0.1'],
    ['1', '0.01'],
    ['0.5', '0.001'],
    ['0.00000123', '0.00000001'],
  ])('price %s has tick %s', (price, tick) => {
    expect(tickSize('KRW', price).toFixed()).toBe(tick);
  });

  it('floors bids and ceils asks', () => {
    expect(roundToTick('KRW', '143212345', 'bid').toString()).toBe('143212000');
    expect(roundToTick('KRW', '143212345', 'ask').toString()).toBe('143213000');
    expect(roundToTick('KRW', '7777', 'bid').toString()).toBe('7775');
    expect(roundToTick('KRW', '7777', 'ask').toString()).toBe('7780');
  });

  it('uses the band the rounded price lands in', () => {
    // 999,999 is in the 500 band; ceil lands on 1,000,000 which is on the 1,000 grid.
    expect(roundToTick('KRW', '999999', 'ask').toString()).toBe('1000000');
    // 99.95 is in the 0.1 band; ceil gives 100, on the 1 grid.
    expect(roundToTick('KRW', '99.95', 'ask').toString()).toBe('100');
  });

  it('steps across band boundaries', () => {
    expect(stepTicks('KRW', '100', -1).toString()).toBe('99.9');
    expect(stepTicks('KRW', '99.9', 1).toString()).toBe('100');
    expect(stepTicks('KRW', '1000000', -1).toString()).toBe('999500');
  });

  it('BTC market tick is flat and USDT has its own table', () => {
    expect(tickSize('BTC', '0.5').toString()).toBe('1e-8');
    expect(tickSize('USDT', '12.3').toString()).toBe('0.01');
    expect(tickSize('USDT', '5').toString()).toBe('0.001');
  });

  it('rejects off-grid and non-positive prices', () => {
    expect(isOnTick('KRW', '143212345')).toBe(false);
    expect(isOnTick('KRW', '143212000')).toBe(true);
    expect(isOnTick('KRW', '0')).toBe(false);
    expect(isOnTick('KRW', 'NaN')).toBe(false);
  });

  it('never rounds a bid below the smallest tick to a price of 0', () => {
    // 0 is no price: a bid that cannot be placed on the grid says so instead of going out as 0.
    expect(() => roundToTick('KRW', '0.000000005', 'bid')).toThrow(/below the smallest tick/);
    expect(() => roundToTick('USDT', '0.000000009', 'bid')).toThrow(/below the smallest tick/);
    expect(() => roundToTick('BTC', '0.000000001', 'bid')).toThrow(/below the smallest tick/);
    expect(roundToTick('KRW', '0.000000005', 'ask').toFixed()).toBe('0.00000001');
    expect(roundToTick('KRW', '0.000000015', 'bid').toFixed()).toBe('0.00000001');
  });

  it('property: rounding always lands on the grid and never crosses the asked price the wrong way', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.0001, max: 5e8, noNaN: true }), fc.boolean(), (raw, bid) => {
        const side = bid ? 'bid' : 'ask';
        const r = roundToTick('KRW', raw, side);
        expect(isOnTick('KRW', r)).toBe(true);
        if (bid) expect(r.lte(raw)).toBe(true);
        else expect(r.gte(raw)).toBe(true);
      }),
    );
  });
});

describe('money', () => {
  it('minimum total is the larger of the bot minimum and the market minimum', () => {
    expect(minimumOrderTotal('5000').toString()).toBe('30000');
    expect(minimumOrderTotal('50000').toString()).toBe('50000');
  });
  it('bid locks price x volume plus fee, exactly', () => {
    // 100,000,000 x 0.001 = 100,000; fee 0.05% = 50
    expect(bidLocked('100000000', '0.001', '0.0005').toString()).toBe('100050');
  });
  it('volume floors to 8 decimals', () => {
    expect(floorVolume('0.123456789').toString()).toBe('0.12345678');
  });
});

describe('decimalStringOf', () => {
  it('is new Decimal(x).toFixed() for any number', () => {
    for (const x of [
      0,
      -0,
      1,
      -1,
      0.1,
      1e-7,
      1.5e-7,
      123456789.123,
      1e21,
      2 ** 53 + 2,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
    ])
      expect(decimalStringOf(x)).toBe(new Decimal(x).toFixed());
    fc.assert(
      fc.property(fc.double(), (x) => decimalStringOf(x) === new Decimal(x).toFixed()),
      { numRuns: 20_000 },
    );
    // ATR-like figures: a few significant digits to full doubles, across the magnitudes of KRW prices.
    fc.assert(
      fc.property(
        fc.double({ min: 1e-9, max: 1e9, noNaN: true }),
        (x) => decimalStringOf(x) === new Decimal(x).toFixed(),
      ),
      { numRuns: 20_000 },
    );
  });
});
