import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_CONFIG, validateRiskConfig } from './config';
import { checkEdge, roundTripCostPct } from './edge';

describe('validateRiskConfig', () => {
  it('fills a partial config from the defaults', () => {
    const r = validateRiskConfig({ maxOpenPositions: 3, exit: { stopMode: 'pct', stopPct: 1.5 } });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.maxOpenPositions).toBe(3);
      expect(r.value.exit.stopMode).toBe('pct');
      expect(r.value.exit.stopPct).toBe(1.5);
      expect(r.value.exit.takeProfit).toEqual(DEFAULT_RISK_CONFIG.exit.takeProfit);
      expect(r.value.dailyLossLimitPct).toBe(DEFAULT_RISK_CONFIG.dailyLossLimitPct);
    }
  });

  it('names every bad field', () => {
    const r = validateRiskConfig({
      maxOpenPositions: 2.5,
      riskPerTradePct: 0,
      onePositionPerCoin: 'yes',
      maxCoinWeigthPct: 10,
      exit: {
        stopMode: 'far',
        takeProfit: [
          { atPct: 3, fraction: 0.7 },
          { atPct: 2, fraction: 0.6 },
        ],
      },
      edge: { slippagePct: '0.1' },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const text = r.errors.join('\n');
      expect(text).toContain('maxOpenPositions: must be an integer, got 2.5');
      expect(text).toContain('riskPerTradePct: must be > 0');
      expect(text).toContain('onePositionPerCoin: must be true or false');
      expect(text).toContain('maxCoinWeigthPct: unknown field');
      expect(text).toContain("exit.stopMode: must be 'atr', 'pct' or 'none'");
      expect(text).toContain('exit.takeProfit[1].atPct: rungs must rise');
      expect(text).toContain('exit.takeProfit: fractions add up to 1.3');
      expect(text).toContain('edge.slippagePct: must be a finite number');
    }
  });

  it("takes 'none' as the stop mode: no stop", () => {
    const r = validateRiskConfig({ exit: { stopMode: 'none' } });
    expect(r.ok && r.value.exit.stopMode).toBe('none');
  });

  it('keeps the spike gate on by default and lets it be tuned or turned off, checked', () => {
    expect(DEFAULT_RISK_CONFIG.dataQuality).toEqual({ spikeGate: true, spikeMinMovePct: 0 });
    const off = validateRiskConfig({ dataQuality: { spikeGate: false } });
    expect(off.ok && off.value.dataQuality).toEqual({ spikeGate: false, spikeMinMovePct: 0 });
    const tuned = validateRiskConfig({ dataQuality: { spikeMinMovePct: 20 } });
    expect(tuned.ok && tuned.value.dataQuality).toEqual({ spikeGate: true, spikeMinMovePct: 20 });
    const bad = validateRiskConfig({ dataQuality: { spikeGate: 'no', spikeMinMovePct: -1, spikes: 1 } });
    expect(bad.ok).toBe(false);
    const text = bad.ok ? '' : bad.errors.join('\n');
    expect(text).toContain('dataQuality.spikeGate: must be true or false');
    expect(text).toContain('dataQuality.spikeMinMovePct: must be >= 0');
    expect(text).toContain('dataQuality.spikes: unknown field');
    // A config resolved before the field existed (an older session's base) gets today's gate.
    const { dataQuality: _, ...older } = DEFAULT_RISK_CONFIG;
    const fromOlder = validateRiskConfig({ maxOpenPositions: 2 }, older as typeof DEFAULT_RISK_CONFIG);
    expect(fromOlder.ok && fromOlder.value.dataQuality).toEqual({ spikeGate: true, spikeMinMovePct: 0 });
  });

  it('refuses a coin cap above the total cap and non-objects', () => {
    expect(validateRiskConfig({ maxCoinWeightPct: 50, maxTotalExposurePct: 40 })).toMatchObject({ ok: false });
    expect(validateRiskConfig('x')).toMatchObject({ ok: false, errors: ['config: must be an object, got "x"'] });
    expect(validateRiskConfig(undefined)).toEqual({ ok: true, value: DEFAULT_RISK_CONFIG });
  });
});

describe('checkEdge', () => {
  const config = { feeMultiple: 2, atrMultiple: 1, slippagePct: 0.05 };
  it('needs the target to pay twice the round trip and to clear one ATR', () => {
    // round trip = 2 x 0.05% fee + 2 x 0.05% slippage = 0.2%; twice = 0.4%
    expect(roundTripCostPct('0.0005', 0.05)).toBeCloseTo(0.2, 12);
    expect(checkEdge({ price: 10000, targetPct: 0.39, atr: 10, config })).toMatchObject({
      ok: false,
      code: 'EdgeBelowCost',
    });
    expect(checkEdge({ price: 10000, targetPct: 0.4, atr: 10, config })).toMatchObject({ ok: true });
    // ATR 250 on 10,000 = 2.5% > 2% target
    expect(checkEdge({ price: 10000, targetPct: 2, atr: 250, config })).toMatchObject({
      ok: false,
      code: 'EdgeBelowAtr',
    });
    expect(checkEdge({ price: 10000, targetPct: 2, atr: 200, config })).toMatchObject({ ok: true, atrPct: 2 });
    // A 0.139% fee (a non-KRW tier) needs 2 x (0.278 + 0.1) = 0.756%
    expect(checkEdge({ price: 10000, targetPct: 0.75, atr: 10, feeRate: '0.00139', config }).ok).toBe(false);
  });
});
