import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_CONFIG } from '../core/risk/config';
import { emptyRiskState, onEquity, onPositionClosed } from '../core/risk/limits';
import { sessionRiskView } from './session-risk';

const config = { ...DEFAULT_RISK_CONFIG, dailyLossLimitPct: 3 };
const now = Date.UTC(2026, 11, 6, 3, 0); // 12:00 KST

describe('session risk view', () => {
  it('reports equity now, today realised P&L and what is left of the daily loss limit', () => {
    let state = onEquity(emptyRiskState(), '10000000', now - 3_600_000, config);
    state = onPositionClosed(state, { positionId: 'p1', market: 'KRW-ETH', pnlKrw: '-100000', ts: now - 60_000 });
    const view = sessionRiskView(state, config, now, { equityKrw: '9900000.5', freeKrw: '9000000' });
    expect(view.equityKrw).toBe('9900000.5');
    expect(view.freeKrw).toBe('9000000');
    expect(view.dayOpenEquityKrw).toBe('10000000');
    expect(view.todayRealizedPnlKrw).toBe('-100000');
    expect(view.dailyLossLimitKrw).toBe('300000');
    expect(view.lossHeadroomKrw).toBe('200000');
    expect(view.accountError).toBeNull();
  });

  it('has no headroom figure before the first valuation of the KST day, and yesterday does not count', () => {
    const yesterday = now - 24 * 3_600_000;
    const state = onEquity(emptyRiskState(), '10000000', yesterday, config);
    const view = sessionRiskView(state, config, now, { error: 'exchange down' });
    expect(view.dayOpenEquityKrw).toBeNull();
    expect(view.lossHeadroomKrw).toBeNull();
    expect(view.todayRealizedPnlKrw).toBe('0');
    expect(view.equityKrw).toBeNull();
    expect(view.accountError).toBe('exchange down');
  });

  it('passes halts through as they are and a volatility halt only while it lasts', () => {
    const state = {
      ...emptyRiskState(),
      halts: [{ kind: 'drawdown' as const, sinceTs: now - 1000, reason: 'MaxDrawdown' }],
      volatilityHaltUntil: now + 60_000,
    };
    expect(sessionRiskView(state, config, now, { error: 'x' }).halts).toEqual(state.halts);
    expect(sessionRiskView(state, config, now, { error: 'x' }).volatilityHaltUntil).toBe(now + 60_000);
    expect(sessionRiskView(state, config, now + 60_000, { error: 'x' }).volatilityHaltUntil).toBeNull();
  });
});
