import { describe, expect, it } from 'vitest';
import { DEFAULT_STRATEGY_ID, evaluateMarket, getStrategy, strategies, validateParams } from '.';
import { context, snapshot } from './test-snapshot';

describe('strategy registry and parameters', () => {
  it('registers the built-ins with the pullback as default', () => {
    expect(Object.keys(strategies).sort()).toEqual([
      'breakout',
      'dual-momentum',
      'ensemble',
      'probe',
      'pullback',
      'rsi',
      'rsi-reversion',
    ]);
    expect(DEFAULT_STRATEGY_ID).toBe('pullback');
    expect(() => getStrategy('nope')).toThrow(/unknown strategy "nope"; known: /);
  });

  it.each(Object.keys(strategies))('%s: defaults come from its schema and lie inside it', (id) => {
    const s = getStrategy(id);
    expect(validateParams(s, {})).toEqual({ ok: true, params: s.defaults });
    for (const [name, spec] of Object.entries(s.params.properties)) {
      expect(s.defaults[name]).toBe(spec.default);
      if (spec.type !== 'boolean') {
        expect(spec.default).toBeGreaterThanOrEqual(spec.minimum);
        expect(spec.default).toBeLessThanOrEqual(spec.maximum);
      }
      expect(spec.description.length).toBeGreaterThan(5);
    }
    expect(JSON.parse(JSON.stringify(s.params))).toEqual(s.params);
  });

  it('merges valid values and names every bad one', () => {
    const s = getStrategy('pullback');
    const ok = validateParams(s, { trendMin: 0.5, confirm5m: false });
    expect(ok).toEqual({ ok: true, params: { ...s.defaults, trendMin: 0.5, confirm5m: false } });
    const bad = validateParams(s, { trendMin: 2, dipLookback: 2.5, confirm5m: 'no', bogus: 1, oversoldRsi: '30' });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors).toEqual([
        'trendMin: must be between 0 and 1, got 2',
        'dipLookback: must be an integer, got 2.5',
        'confirm5m: must be true or false, got "no"',
        'bogus: unknown parameter of strategy pullback',
        'oversoldRsi: must be a finite number, got "30"',
      ]);
    expect(validateParams(s, [1])).toEqual({ ok: false, errors: ['params: must be an object, got [1]'] });
  });
});

describe('decisions', () => {
  it('are small JSON with finite factors, for every strategy that decides on a rich snapshot', () => {
    const ts = Date.UTC(2026, 2, 10, 6);
    const closes = Array.from({ length: 50 }, (_, i) => 100 + i * 0.5);
    const rich = {
      closes,
      opens: closes.map((c) => c - 0.2),
      highs: closes.map((c) => c + 0.5),
      lows: closes.map((c) => c - 0.5),
      ts: closes.map((_, i) => ts - (50 - i) * 900_000),
      close: closes[49],
      ema9: 123,
      ema21: 120,
      ema50: 115,
      ema200: 105,
      adx: 30,
      rsi14: 60,
      rsi7: 65,
      roc: 0.02,
      realizedVol: 0.01,
      atr: 0.5,
      volumeSpike: 1.5,
      macd: { macd: 1, signal: 0.5, histogram: 0.5 },
      bb: { upper: 130, middle: 120, lower: 110, width: 0.16 },
    };
    const frames = { minute1: rich, minute5: rich, minute15: rich, minute60: rich, minute240: rich, day: rich };
    const snap = snapshot('KRW-X', ts, frames, {
      lastPrice: closes[49],
      corrBtc: 0.5,
      regime: { hurst: 0.6, label: 'trend' },
    });
    const decided: string[] = [];
    for (const s of Object.values(strategies)) {
      const r = evaluateMarket({
        strategy: s,
        params: s.defaults,
        snapshot: snap,
        benchmark: snap,
        context: context(ts),
        ts,
      });
      for (const d of r.decisions) {
        decided.push(`${s.id}:${d.action}`);
        const json = JSON.stringify(d);
        expect(JSON.parse(json)).toEqual(d);
        expect(json.length).toBeLessThan(2000);
        for (const v of Object.values(d.factors)) expect(Number.isFinite(v)).toBe(true);
      }
    }
    // A rising market: the trend-following strategies enter, the dip/reversion/breakout ones wait.
    expect(decided).toEqual(expect.arrayContaining(['dual-momentum:entry', 'ensemble:entry']));
  });
});
