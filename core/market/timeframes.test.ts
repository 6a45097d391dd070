import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Candle } from './candles';
import { bucketEnd, bucketStart, Resampler, resample, TIMEFRAMES, type Timeframe, timeframeMs } from './timeframes';

const at = (iso: string) => Date.parse(iso);

describe('bucketStart', () => {
  it.each<[Timeframe, string, string]>([
    ['minute1', '2024-05-01T10:07:31Z', '2024-05-01T10:07:00Z'],
    ['minute5', '2024-05-01T10:09:59Z', '2024-05-01T10:05:00Z'],
    ['minute15', '2024-05-01T10:44:00Z', '2024-05-01T10:30:00Z'],
    ['minute60', '2024-05-01T10:59:00Z', '2024-05-01T10:00:00Z'],
    ['minute240', '2024-05-01T07:59:00Z', '2024-05-01T04:00:00Z'],
    ['day', '2024-05-01T14:59:00Z', '2024-04-30T15:00:00Z'],
    ['day', '2024-05-01T15:00:00Z', '2024-05-01T15:00:00Z'],
  ])('%s bar of %s opens at %s', (tf, ts, start) => {
    expect(bucketStart(at(ts), tf)).toBe(at(start));
  });

  it('puts daily bars on 00:00 UTC when asked (Upbit day candles)', () => {
    expect(bucketStart(at('2024-05-01T14:59:00Z'), 'day', 'utc')).toBe(at('2024-05-01T00:00:00Z'));
    expect(bucketEnd(at('2024-05-01T00:00:00Z'), 'day')).toBe(at('2024-05-02T00:00:00Z'));
  });
});

/** Random 1-minute candles in time order, with gaps (Upbit omits quiet minutes). */
const minuteCandles = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 1, max: 400 }),
      open: fc.double({ min: 1, max: 1000, noNaN: true }),
      close: fc.double({ min: 1, max: 1000, noNaN: true }),
      up: fc.double({ min: 0, max: 50, noNaN: true }),
      down: fc.double({ min: 0, max: 0.9, noNaN: true }),
      volume: fc.double({ min: 0, max: 1e6, noNaN: true }),
    }),
    { minLength: 1, maxLength: 300 },
  )
  .map((rows) => {
    let ts = at('2024-05-01T13:00:00Z');
    return rows.map((r): Candle => {
      ts += r.gap * 60_000;
      const high = Math.max(r.open, r.close) + r.up;
      const low = Math.min(r.open, r.close) * (1 - r.down);
      return { ts, open: r.open, high, low, close: r.close, volume: r.volume, value: r.volume * r.close };
    });
  });

describe('resample', () => {
  it('each bar holds exactly the candles of its bucket: first open, max high, min low, last close, summed volume', () => {
    fc.assert(
      fc.property(minuteCandles, fc.constantFrom(...TIMEFRAMES.slice(1)), (candles, tf) => {
        const bars = resample(candles, tf);
        const groups = new Map<number, Candle[]>();
        for (const c of candles) {
          const k = bucketStart(c.ts, tf);
          groups.set(k, [...(groups.get(k) ?? []), c]);
        }
        expect(bars.map((b) => b.ts)).toEqual([...groups.keys()]);
        for (const bar of bars) {
          const g = groups.get(bar.ts)!;
          expect(bar.open).toBe(g[0].open);
          expect(bar.close).toBe(g[g.length - 1].close);
          expect(bar.high).toBe(Math.max(...g.map((c) => c.high)));
          expect(bar.low).toBe(Math.min(...g.map((c) => c.low)));
          expect(bar.volume).toBeCloseTo(
            g.reduce((s, c) => s + c.volume, 0),
            6,
          );
          expect(bar.ts + timeframeMs(tf)).toBeGreaterThan(g[g.length - 1].ts);
        }
      }),
    );
  });

  it('a revised input replaces the earlier version instead of adding to it', () => {
    fc.assert(
      fc.property(minuteCandles, fc.constantFrom(...TIMEFRAMES.slice(1)), (candles, tf) => {
        const r = new Resampler(tf);
        const streamed: Candle[] = [];
        for (const c of candles) {
          // a forming version first (half the volume, close at open), then the final candle
          for (const version of [{ ...c, close: c.open, high: Math.max(c.open, c.low), volume: c.volume / 2 }, c]) {
            const closed = r.push(version);
            if (closed) streamed.push(closed);
          }
        }
        const last = r.forming();
        if (last) streamed.push(last);
        expect(streamed).toEqual(resample(candles, tf));
      }),
    );
  });

  it('closes a bar by time even when no later candle comes', () => {
    const r = new Resampler('minute5');
    const c = { ts: at('2024-05-01T10:01:00Z'), open: 1, high: 2, low: 1, close: 2, volume: 1 };
    expect(r.push(c)).toBeNull();
    expect(r.closeUntil(at('2024-05-01T10:04:59Z'))).toBeNull();
    expect(r.closeUntil(at('2024-05-01T10:05:00Z'))).toEqual({ ...c, ts: at('2024-05-01T10:00:00Z') });
    expect(r.forming()).toBeNull();
  });

  it('rejects unordered input', () => {
    const c = { ts: 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1 };
    expect(() => resample([c, c], 'minute5')).toThrow(/not after the previous/);
  });
});
