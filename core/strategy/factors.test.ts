import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  composite,
  correlationFactor,
  factorScores,
  momentumFactor,
  regimeFactor,
  trendFactor,
  volatilityFactor,
  volumeFactor,
} from './factors';
import { context, frame } from './test-snapshot';

const tf = 'minute60' as const;

describe('factors', () => {
  it('trend: EMA stack votes scaled by ADX strength', () => {
    const up = { close: 110, ema9: 108, ema21: 105, ema50: 100, ema200: 90 };
    expect(trendFactor(frame(tf, { ...up, adx: 30 }))).toBe(1);
    expect(trendFactor(frame(tf, { ...up, adx: 15 }))).toBeCloseTo(0.6, 12);
    expect(trendFactor(frame(tf, { ...up, adx: 5 }))).toBeCloseTo(0.4, 12); // floor of the strength
    // close>21 +1, 9>21 +1, 21<50 -1, no EMA200: 1/3
    expect(trendFactor(frame(tf, { close: 110, ema9: 108, ema21: 100, ema50: 105 }))).toBeCloseTo(1 / 3, 12);
    expect(trendFactor(frame(tf, { close: 90, ema9: 92, ema21: 95, ema50: 100, ema200: 110, adx: 40 }))).toBe(-1);
    expect(trendFactor(frame(tf))).toBe(0);
  });

  it('momentum: volatility-scaled ROC, RSI distance and MACD sign', () => {
    // tanh(0.02 / (0.01 x sqrt 10) / 2) = tanh(0.316228) = 0.306092 (series x - x^3/3 + 2x^5/15 - 17x^7/315); RSI 60 -> 0.2; MACD up -> 1
    const m = momentumFactor(
      frame(tf, { roc: 0.02, realizedVol: 0.01, rsi14: 60, macd: { macd: 1, signal: 0.5, histogram: 0.5 } }),
    );
    expect(m).toBeCloseTo((0.306092 + 0.2 + 1) / 3, 5);
    expect(momentumFactor(frame(tf, { rsi14: 25 }))).toBeCloseTo(-0.5, 12);
  });

  it('volatility: best in the middle of the band, penalised too low and too high', () => {
    const v = (atr: number) => volatilityFactor(frame(tf, { close: 100, atr }), 0.5, 2.5);
    expect(v(1.5)).toBeCloseTo(1, 12);
    expect(v(1)).toBeCloseTo(0.5, 12);
    expect(v(2.5)).toBeCloseTo(0, 12);
    expect(v(0.25)).toBeCloseTo(-0.5, 12);
    expect(v(3.75)).toBeCloseTo(-0.5, 12);
    expect(v(10)).toBe(-1);
    expect(volatilityFactor(frame(tf, { close: 100, atr: null }), 0.5, 2.5)).toBe(0);
  });

  it('volume, correlation and regime', () => {
    expect(volumeFactor(frame(tf, { volumeSpike: 2 }))).toBeCloseTo(1, 12);
    expect(volumeFactor(frame(tf, { volumeSpike: Math.SQRT2 }))).toBeCloseTo(0.5, 12);
    expect(volumeFactor(frame(tf, { volumeSpike: 0.5 }))).toBeCloseTo(-1, 12);
    expect(volumeFactor(frame(tf, { volumeSpike: 8 }))).toBe(1);
    // 0.8 x tanh(0.01 / 0.01) = 0.8 x 0.761594
    expect(correlationFactor(0.8, context(0, { btcReturn: 0.01 }))).toBeCloseTo(0.609275, 5);
    expect(correlationFactor(0.8, context(0, { btcReturn: -0.01 }))).toBeCloseTo(-0.609275, 5);
    expect(correlationFactor(null, context(0, { btcReturn: 0.01 }))).toBe(0);
    expect(regimeFactor({ hurst: 0.6, label: 'trend' })).toBeCloseTo(0.4, 12);
    expect(regimeFactor({ hurst: 0.3, label: 'range' })).toBeCloseTo(-0.8, 12);
    expect(regimeFactor({ hurst: 0.9, label: 'trend' })).toBe(1);
  });

  it('composite: weighted mean over the absolute weights', () => {
    const scores = { trend: 1, momentum: 0.5, volatility: 0, volume: -1, correlation: 0.3, regime: -0.2 };
    const weights = { trend: 2, momentum: 1, volatility: 1, volume: 1, correlation: 0, regime: -1 };
    // (2 + 0.5 + 0 - 1 + 0 + 0.2) / 6
    expect(composite(scores, weights)).toBeCloseTo(1.7 / 6, 12);
    expect(composite(scores, { trend: 0, momentum: 0, volatility: 0, volume: 0, correlation: 0, regime: 0 })).toBe(0);
  });

  it('property: every factor and the composite stay in [-1, 1] for any finite inputs', () => {
    const num = fc.double({ min: -1e9, max: 1e9, noNaN: true });
    const pos = fc.double({ min: 1e-9, max: 1e9, noNaN: true });
    const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
    const features = fc.record({
      close: pos,
      ema9: opt(pos),
      ema21: opt(pos),
      ema50: opt(pos),
      ema200: opt(pos),
      adx: opt(fc.double({ min: 0, max: 100, noNaN: true })),
      roc: opt(num),
      realizedVol: opt(fc.double({ min: 0, max: 10, noNaN: true })),
      rsi14: opt(fc.double({ min: 0, max: 100, noNaN: true })),
      atr: opt(fc.double({ min: 0, max: 1e9, noNaN: true })),
      volumeSpike: opt(fc.double({ min: 0, max: 1e6, noNaN: true })),
    });
    const weight = fc.double({ min: -1, max: 3, noNaN: true });
    fc.assert(
      fc.property(
        features,
        features,
        opt(fc.double({ min: -1, max: 1, noNaN: true })),
        opt(fc.double({ min: 0, max: 1, noNaN: true })),
        opt(fc.double({ min: -1, max: 10, noNaN: true })),
        fc.array(weight, { minLength: 6, maxLength: 6 }),
        (a, b, corr, hurst, btcReturn, w) => {
          const scores = factorScores(
            frame('minute60', a),
            frame('minute15', b),
            corr,
            { hurst, label: null },
            context(0, { btcReturn }),
            {
              wTrend: w[0],
              wMomentum: w[1],
              wVolatility: w[2],
              wVolume: w[3],
              wCorrelation: w[4],
              wRegime: w[5],
              volLowPct: 0.3,
              volHighPct: 3,
            },
          );
          for (const v of Object.values(scores)) {
            expect(Number.isFinite(v)).toBe(true);
            expect(Math.abs(v)).toBeLessThanOrEqual(1);
          }
          const weights = {
            trend: w[0],
            momentum: w[1],
            volatility: w[2],
            volume: w[3],
            correlation: w[4],
            regime: w[5],
          };
          expect(Math.abs(composite(scores, weights))).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
