import { describe, expect, it } from 'vitest';
import { defaultSessionConfig, parseSessionConfig, sessionRiskConfig } from './config';
import { configChanges } from './config-change';

describe('config changes', () => {
  const before = { ...defaultSessionConfig('s', 'probe'), markets: ['KRW-BTC'] };

  it('lists each changed leaf with when it takes effect', () => {
    const parsed = parseSessionConfig(
      {
        markets: ['KRW-BTC', 'KRW-ETH'],
        risk: { dailyLossLimitPct: 2.5, exit: { stopMode: 'pct', stopPct: 3 } },
        order: { timeoutSec: 45 },
      },
      before,
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const changes = configChanges(before, parsed.value);
    // "before" is the limit as it applied: the strategy's default when the session never set it.
    const limits = sessionRiskConfig(before);
    if (!limits.ok) throw new Error(limits.errors.join('; '));
    expect(limits.value.exit.stopMode).not.toBe('pct');
    expect(changes).toEqual([
      { field: 'markets', before: ['KRW-BTC'], after: ['KRW-BTC', 'KRW-ETH'], takesEffect: 'live' },
      { field: 'order.timeoutSec', before: before.order.timeoutSec, after: 45, takesEffect: 'live' },
      { field: 'risk.dailyLossLimitPct', before: limits.value.dailyLossLimitPct, after: 2.5, takesEffect: 'live' },
      { field: 'risk.exit.stopMode', before: limits.value.exit.stopMode, after: 'pct', takesEffect: 'newPositions' },
      ...(limits.value.exit.stopPct === 3
        ? []
        : [{ field: 'risk.exit.stopPct', before: limits.value.exit.stopPct, after: 3, takesEffect: 'newPositions' }]),
    ]);
  });

  it('says a mode change needs a new session, and finds nothing when nothing changed', () => {
    expect(configChanges(before, { ...before, mode: 'paper' })).toEqual([
      { field: 'mode', before: before.mode, after: 'paper', takesEffect: 'newSession' },
    ]);
    expect(configChanges(before, structuredClone(before))).toEqual([]);
  });
});
