import { describe, expect, it } from 'vitest';
import type { Candle } from '../market';
import { limitFillVolume, marketFill, slippageBps, slippedPrice, stopFill, validateFillModel } from './fill';

const bar = (o: number, h: number, l: number, c: number, v = 10): Candle => ({
  ts: 0,
  open: o,
  high: h,
  low: l,
  close: c,
  volume: v,
});

describe('fill model', () => {
  it('slips market orders against the trader and rounds onto the worse side of the tick grid', () => {
    // 100,000,000 x 1.0005 = 100,050,000 (on the 1,000 grid) -> exactly 5 bps
    const bid = slippedPrice('KRW-BTC', 'bid', 100_000_000, 5);
    expect(bid.price.toFixed()).toBe('100050000');
    expect(bid.slippageBps).toBeCloseTo(5, 9);
    expect(slippedPrice('KRW-BTC', 'ask', 100_000_000, 5).price.toFixed()).toBe('99950000');
    // 3,000 x 1.0005 = 3001.5; tick 1 -> bids round up to 3002 = 6.667 bps paid
    const xrp = slippedPrice('KRW-XRP', 'bid', 3000, 5);
    expect(xrp.price.toFixed()).toBe('3002');
    expect(xrp.slippageBps).toBeCloseTo(20 / 3, 9);
    // 3000 x 0.9995 = 2998.5 -> asks round down to 2998
    expect(slippedPrice('KRW-XRP', 'ask', 3000, 5).price.toFixed()).toBe('2998');
  });

  it('fills a market order at the next bar open', () => {
    const next = bar(50_000, 60_000, 40_000, 55_000);
    expect(marketFill('KRW-ETH', 'bid', 1, next, { kind: 'fixed', bps: 0 }).price.toFixed()).toBe('50000');
  });

  it('volume slippage: base + impact x sqrt(participation), capped', () => {
    const model = { kind: 'volume' as const, baseBps: 2, impactBps: 50, maxBps: 100 };
    // 2.5 of 10 traded -> sqrt(0.25) = 0.5 -> 2 + 25 = 27 bps
    expect(slippageBps(model, 2.5, bar(1, 1, 1, 1, 10))).toBe(27);
    expect(slippageBps(model, 1000, bar(1, 1, 1, 1, 10))).toBe(100);
    expect(slippageBps(model, 1, bar(1, 1, 1, 1, 0))).toBe(100);
  });

  it('stops fill at the level, or at the open when the bar gapped through it', () => {
    const zero = { kind: 'fixed' as const, bps: 0 };
    expect(
      stopFill('KRW-BTC', '95000000', 1, bar(96_000_000, 96_000_000, 94_000_000, 95_500_000), zero).price.toFixed(),
    ).toBe('95000000');
    expect(
      stopFill('KRW-BTC', '95000000', 1, bar(94_000_000, 94_500_000, 93_000_000, 94_000_000), zero).price.toFixed(),
    ).toBe('94000000');
  });

  it('limit orders fill only when a bar trades through the price, up to the volume cap', () => {
    // Touching 100 is not enough.
    expect(limitFillVolume('bid', 100, 5, bar(101, 102, 100, 101, 20), 0.1).toNumber()).toBe(0);
    // Through: min(remaining 5, 10 % of 20 = 2) = 2
    expect(limitFillVolume('bid', 100, 5, bar(101, 102, 99, 101, 20), 0.1).toNumber()).toBe(2);
    expect(limitFillVolume('bid', 100, 1.5, bar(101, 102, 99, 101, 20), 0.1).toNumber()).toBe(1.5);
    expect(limitFillVolume('ask', 100, 5, bar(99, 100, 98, 99, 20), 0.1).toNumber()).toBe(0);
    expect(limitFillVolume('ask', 100, 5, bar(99, 100.5, 98, 99, 20), 0.5).toNumber()).toBe(5);
  });

  it('rejects a bad model with reasons', () => {
    expect(validateFillModel({ slippage: { kind: 'fixed', bps: -1 }, limitVolumeCap: 0.1 })).toEqual([
      'slippage.bps: must be a number from 0 to 10000 bps, got -1',
    ]);
    expect(validateFillModel({ slippage: { kind: 'fixed', bps: 5 }, limitVolumeCap: 0 })).toHaveLength(1);
    expect(validateFillModel({ slippage: { kind: 'other' } as never, limitVolumeCap: 0.1 })[0]).toMatch(/kind/);
  });
});
