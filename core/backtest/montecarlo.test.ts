import { describe, expect, it } from 'vitest';
import { monteCarlo, percentile, replayPnl } from './montecarlo';

const trades = (...pnls: number[]) => pnls.map((p) => ({ pnl: String(p) }));

describe('monteCarlo', () => {
  it('shuffle keeps the final equity and spreads drawdowns between the best and worst orderings', () => {
    // 1000 +100 +30 -50 -80: any order ends at 1000. Reference drawdowns come from all 24 orders:
    // worst is both losses first (1000 -> 870: 0.13), e.g. +100 +30 then -130 gives 130 / 1130 = 0.115.
    const pnls = [100, 30, -50, -80];
    const perms: number[][] = [];
    const permute = (rest: number[], acc: number[]) => {
      if (rest.length === 0) perms.push(acc);
      rest.forEach((x, i) => {
        permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, x]);
      });
    };
    permute(pnls, []);
    const dds = perms.map((p) => replayPnl(1000, p).maxDrawdown);
    const bands = monteCarlo(trades(...pnls), { method: 'shuffle', runs: 2000, seed: 1, initialEquity: 1000 });
    expect(bands.finalEquity).toEqual({ p5: 1000, p50: 1000, p95: 1000 });
    expect(Math.max(...dds)).toBeCloseTo(0.13, 12);
    expect(dds).toContainEqual(expect.closeTo(130 / 1130, 12));
    expect(bands.maxDrawdown.p5).toBeGreaterThanOrEqual(Math.min(...dds));
    expect(bands.maxDrawdown.p95).toBeLessThanOrEqual(Math.max(...dds));
    expect(bands.maxDrawdown.p95).toBeGreaterThan(bands.maxDrawdown.p5);
    expect(bands.lossProbability).toBe(0);
  });

  it('bootstrap of +100 / -100 with two draws: 800, 1000, 1200 with probabilities 1/4, 1/2, 1/4', () => {
    const bands = monteCarlo(trades(100, -100), { method: 'bootstrap', runs: 4000, seed: 7, initialEquity: 1000 });
    expect(bands.finalEquity).toEqual({ p5: 800, p50: 1000, p95: 1200 });
    // Loss only when both draws are -100.
    expect(bands.lossProbability).toBeGreaterThan(0.22);
    expect(bands.lossProbability).toBeLessThan(0.28);
  });

  it('is repeatable for a seed and rejects bad specs', () => {
    const spec = { method: 'bootstrap' as const, runs: 500, seed: 3, initialEquity: 1000 };
    expect(monteCarlo(trades(5, -3, 8, -1), spec)).toEqual(monteCarlo(trades(5, -3, 8, -1), spec));
    expect(() => monteCarlo(trades(1), { ...spec, runs: 0 })).toThrow(/runs/);
    expect(() => monteCarlo(trades(1), { ...spec, initialEquity: -1 })).toThrow(/initialEquity/);
    expect(() => monteCarlo([{ pnl: 'abc' }], spec)).toThrow(/finite pnl/);
  });

  it('percentile interpolates linearly between ranks', () => {
    expect(percentile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(percentile([0, 10], 0.05)).toBeCloseTo(0.5, 12);
    expect(percentile([0, 10], 0.95)).toBeCloseTo(9.5, 12);
  });
});
