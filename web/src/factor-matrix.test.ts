import { describe, expect, it } from 'vitest';
import type { Decision } from './api/types';
import { factorMatrix } from './factor-matrix';

const decision = (market: string, createdAt: string, factors: Record<string, number> | undefined): Decision => ({
  id: `${market}-${createdAt}`,
  sessionId: 's',
  market,
  action: 'entry',
  score: 1,
  reasons: [],
  snapshot: factors === undefined ? {} : { factors, rsi14: 50 },
  createdAt,
});

describe('factor matrix', () => {
  it("takes each market's newest decision and lays its factor scores out markets x factors", () => {
    const m = factorMatrix([
      decision('KRW-ETH', '2026-12-06T10:02:00Z', { trend: 0.8, momentum: -0.2 }),
      decision('KRW-BTC', '2026-12-06T10:01:00Z', { trend: 0.5, volume: 1 }),
      // Older than the ETH row above: left out.
      decision('KRW-ETH', '2026-12-06T09:00:00Z', { trend: -1 }),
      decision('KRW-XRP', '2026-12-06T10:00:00Z', undefined),
    ]);
    expect(m.markets).toEqual(['KRW-BTC', 'KRW-ETH', 'KRW-XRP']);
    expect(m.factors).toEqual(['momentum', 'trend', 'volume']);
    expect(m.cells).toEqual([
      [1, 0, 0.5],
      [2, 0, 1],
      [0, 1, -0.2],
      [1, 1, 0.8],
    ]);
  });
});
