import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../market/candles';
import { BarIndicators, INDICATOR_NAMES, UndeclaredIndicatorError } from './bar-indicators';
import type { IndicatorValues } from './snapshot';

const T0 = Date.parse('2024-05-01T12:00:00Z'); // 21:00 KST: a KST day boundary falls 3 hours in
const H = 3_600_000;

/** Hourly bars from a seeded-free deterministic walk (sines), volumes varying. */
function walk(n: number): Candle[] {
  const out: Candle[] = [];
  let p = 100;
  for (let i = 0; i < n; i++) {
    const open = p;
    p = p * (1 + 0.01 * Math.sin(i * 1.7) + 0.004 * Math.cos(i * 0.31));
    out.push({
      ts: T0 + i * H,
      open,
      high: Math.max(open, p) * 1.003,
      low: Math.min(open, p) * 0.996,
      close: p,
      volume: 10 + 9 * Math.sin(i * 0.9) ** 2,
    });
  }
  return out;
}

function expectValuesClose(a: IndicatorValues, b: IndicatorValues) {
  const flat = (v: IndicatorValues): [string, number | null][] =>
    Object.entries(v).flatMap(([k, x]): [string, number | null][] =>
      x !== null && typeof x === 'object'
        ? Object.entries(x as Record<string, number>).map(([k2, y]): [string, number | null] => [`${k}.${k2}`, y])
        : [[k, x as number | null]],
    );
  const fa = flat(a);
  const fb = new Map(flat(b));
  for (const [k, x] of fa) {
    const y = fb.get(k);
    if (x === null || y === null) expect([k, x]).toEqual([k, y]);
    else expect(Math.abs(x - (y as number)), k).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(y as number)));
  }
}

describe('BarIndicators', () => {
  it('revising the forming bar gives the same values as feeding only the final bar', () => {
    const bars = walk(260);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0.9, max: 1.1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: 260,
          maxLength: 260,
        }),
        (noise) => {
          const revised = new BarIndicators({ vwapDay: 'kst' });
          const plain = new BarIndicators({ vwapDay: 'kst' });
          bars.forEach((bar, i) => {
            const [f, share] = noise[i];
            // forming version: a different close inside a narrower range, part of the volume
            const c = Math.min(bar.high, Math.max(bar.low, bar.close * f));
            revised.update({ ...bar, close: c, volume: bar.volume * share }, false);
            revised.update(bar, true);
            plain.update(bar, false);
            expectValuesClose(revised.values(), plain.values());
          });
        },
      ),
      { numRuns: 20 },
    );
  });

  it('matches independently computed EMA, RSI (Wilder), realized vol, volume spike, return, VPT, OBV, VWAP', () => {
    const bars = walk(240);
    const ind = new BarIndicators({ vwapDay: 'kst' });
    for (const b of bars) ind.update(b, false);
    const v = ind.values();
    const closes = bars.map((b) => b.close);
    const n = closes.length;

    // EMA(9) starting from the first close, weight 2 / (9 + 1)
    let ema = closes[0];
    for (const c of closes.slice(1)) ema = c * 0.2 + ema * 0.8;
    expect(v.ema9).toBeCloseTo(ema, 9);

    // RSI(14), Wilder: first averages are plain means of 14 changes, then (prev x 13 + x) / 14
    const changes = closes.slice(1).map((c, i) => c - closes[i]);
    let gain = changes.slice(0, 14).reduce((s, d) => s + Math.max(d, 0), 0) / 14;
    let loss = changes.slice(0, 14).reduce((s, d) => s + Math.max(-d, 0), 0) / 14;
    for (const d of changes.slice(14)) {
      gain = (gain * 13 + Math.max(d, 0)) / 14;
      loss = (loss * 13 + Math.max(-d, 0)) / 14;
    }
    expect(v.rsi14).toBeCloseTo(100 - 100 / (1 + gain / loss), 9);

    // realized vol: sample sd of the last 20 log returns
    const r = closes
      .slice(n - 21)
      .map((c, i, a) => (i ? Math.log(c / a[i - 1]) : 0))
      .slice(1);
    const mean = r.reduce((s, x) => s + x, 0) / 20;
    expect(v.realizedVol).toBeCloseTo(Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / 19), 12);

    // volume spike: this volume over the mean of the previous 20
    const vols = bars.map((b) => b.volume);
    const prevMean = vols.slice(n - 21, n - 1).reduce((s, x) => s + x, 0) / 20;
    expect(v.volumeSpike).toBeCloseTo(vols[n - 1] / prevMean, 12);

    expect(v.cumReturn).toBeCloseTo(closes[n - 1] / closes[n - 51] - 1, 12);
    expect(v.roc).toBeCloseTo(closes[n - 1] / closes[n - 11] - 1, 12);

    let vpt = 0;
    let obv = 0;
    for (let i = 1; i < n; i++) {
      vpt += (vols[i] * (closes[i] - closes[i - 1])) / closes[i - 1];
      obv += closes[i] > closes[i - 1] ? vols[i] : closes[i] < closes[i - 1] ? -vols[i] : 0;
    }
    expect(v.vpt).toBeCloseTo(vpt, 9);
    expect(v.obv).toBeCloseTo(obv, 9);

    // session VWAP since the last KST midnight (15:00 UTC) with typical price (h + l + c) / 3
    const lastDay = bars.filter((b) => b.ts >= Date.parse('2024-05-10T15:00:00Z'));
    expect(lastDay.length).toBeGreaterThan(0);
    expect(bars[n - 1].ts).toBeLessThan(Date.parse('2024-05-11T15:00:00Z'));
    const pv = lastDay.reduce((s, b) => s + ((b.high + b.low + b.close) / 3) * b.volume, 0);
    const vv = lastDay.reduce((s, b) => s + b.volume, 0);
    expect(v.vwap).toBeCloseTo(pv / vv, 9);

    expect(v.bb!.width).toBeCloseTo((v.bb!.upper - v.bb!.lower) / v.bb!.middle, 12);
    for (const k of ['ema200', 'sma200', 'adx', 'atr', 'stochK', 'macd'] as const) expect(v[k]).not.toBeNull();
  });

  it('leaves values null until enough bars', () => {
    const ind = new BarIndicators({ vwapDay: null });
    const bars = walk(30);
    for (const b of bars) ind.update(b, false);
    const v = ind.values();
    expect(v.ema21).not.toBeNull();
    expect(v.ema50).toBeNull();
    expect(v.sma50).toBeNull();
    expect(v.cumReturn).toBeNull();
    expect(v.vwap).toBeNull(); // disabled for daily bars
    expect(v.realizedVol).not.toBeNull();
  });
});

describe('BarIndicators: some indicators only', () => {
  it('computes each indicator alone as with all of them (what it needs kept, the rest skipped)', () => {
    const bars = walk(260);
    for (const name of INDICATOR_NAMES) {
      const all = new BarIndicators({ vwapDay: 'kst' });
      const one = new BarIndicators({ vwapDay: 'kst', only: { indicators: [name], timeframe: 'minute60' } });
      for (const [i, b] of bars.entries()) {
        all.update(b, false);
        one.update(b, false);
        if (i % 29 === 0) {
          all.update({ ...b, close: b.close * 0.99, volume: b.volume * 2 }, true);
          one.update({ ...b, close: b.close * 0.99, volume: b.volume * 2 }, true);
        }
        expect(one.values()[name], `${name} at bar ${i}`).toEqual(all.values()[name]);
      }
    }
  });

  it('computes the declared ones as with all of them; reading another throws, naming it', () => {
    const bars = walk(260);
    const all = new BarIndicators({ vwapDay: 'kst' });
    const some = new BarIndicators({
      vwapDay: 'kst',
      only: { indicators: ['ema21', 'macd', 'stochD'], timeframe: 'minute15' },
    });
    for (const [i, b] of bars.entries()) {
      all.update(b, false);
      some.update(b, false);
      if (i % 37 === 0) {
        // a revision of the newest bar too
        all.update({ ...b, close: b.close * 1.01 }, true);
        some.update({ ...b, close: b.close * 1.01 }, true);
      }
      const [a, s] = [all.values(), some.values()];
      expect([s.close, s.ema21, s.macd, s.stochD]).toEqual([a.close, a.ema21, a.macd, a.stochD]);
    }
    const v = some.values();
    expect(v.ema21).not.toBeNull();
    expect(Object.keys(v).sort()).toEqual(['close', 'ema21', 'macd', 'stochD']);
    for (const name of INDICATOR_NAMES.filter((n) => !['ema21', 'macd', 'stochD'].includes(n)))
      expect(() => v[name], name).toThrow(UndeclaredIndicatorError);
    expect(() => v.rsi14).toThrow(/minute15\.rsi14/);
    expect(
      () => new BarIndicators({ vwapDay: null, only: { indicators: ['rsi99' as 'rsi14'], timeframe: 'x' } }),
    ).toThrow(/unknown indicator rsi99/);
  });
});
