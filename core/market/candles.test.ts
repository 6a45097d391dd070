import { describe, expect, it } from 'vitest';
import {
  type Candle,
  candleAt,
  candleColumns,
  checkCandle,
  dayStart,
  kstDayStart,
  mergeCandles,
  newCandle,
  utcBucketStart,
} from './candles';

const good = { ts: 1_700_000_040_000, open: 100, high: 110, low: 95, close: 105, volume: 3, value: 315 };

describe('checkCandle', () => {
  it('accepts a consistent candle and copies only candle fields', () => {
    const r = checkCandle({ ...good, extra: 'x' });
    expect(r).toEqual({ ok: true, candle: good });
  });

  it('accepts a candle without value', () => {
    const { value: _v, ...rest } = good;
    const r = checkCandle(rest);
    expect(r.ok).toBe(true);
    if (r.ok) expect('value' in r.candle).toBe(false);
  });

  it.each([
    [{ ...good, high: 90 }, 'high 90 is below low 95'],
    [{ ...good, open: 0, low: 0 }, 'low 0 is not positive'],
    [{ ...good, close: 111 }, 'close 111 is outside [low 95, high 110]'],
    [{ ...good, open: 94 }, 'open 94 is outside [low 95, high 110]'],
    [{ ...good, volume: -1 }, 'volume -1 is negative'],
    [{ ...good, ts: 1.5 }, 'ts 1.5 is not a non-negative integer of milliseconds'],
    [{ ...good, close: Number.NaN }, 'close is not a finite number (NaN)'],
    [{ ...good, high: '110' }, 'high is not a finite number (110)'],
    [{ ...good, value: Number.POSITIVE_INFINITY }, 'value is not a finite number (Infinity)'],
  ])('rejects %j with a reason', (raw, reason) => {
    const r = checkCandle(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toContain(reason);
  });

  it('rejects non-objects', () => {
    expect(checkCandle(null)).toEqual({ ok: false, problems: ['not an object'] });
    expect(checkCandle(42)).toEqual({ ok: false, problems: ['not an object'] });
  });
});

describe('newCandle and candleAt', () => {
  it('give a value only to a bar that has one, and read columns back to the candles they came from', () => {
    const { value: _v, ...noValue } = good;
    // toStrictEqual: a `value: undefined` key would not pass.
    expect(newCandle(good.ts, 100, 110, 95, 105, 3)).toStrictEqual(noValue);
    expect(newCandle(good.ts, 100, 110, 95, 105, 3, 315)).toStrictEqual(good);
    const candles: Candle[] = [
      good,
      { ...noValue, ts: good.ts + 60_000 },
      { ...good, ts: good.ts + 120_000, value: 0 },
    ];
    const columns = candleColumns(candles);
    expect(candles.map((_, i) => candleAt(columns, i))).toStrictEqual(candles);
  });
});

describe('bucket starts', () => {
  const at = (iso: string) => Date.parse(iso);
  it('aligns fixed buckets to UTC', () => {
    expect(utcBucketStart(at('2024-05-01T10:07:59.999Z'), 5 * 60_000)).toBe(at('2024-05-01T10:05:00Z'));
    expect(utcBucketStart(at('2024-05-01T03:59:00Z'), 240 * 60_000)).toBe(at('2024-05-01T00:00:00Z'));
    expect(utcBucketStart(at('2024-05-01T04:00:00Z'), 240 * 60_000)).toBe(at('2024-05-01T04:00:00Z'));
  });

  it('starts KST days at 15:00 UTC of the previous UTC date', () => {
    expect(kstDayStart(at('2024-05-01T14:59:59Z'))).toBe(at('2024-04-30T15:00:00Z'));
    expect(kstDayStart(at('2024-05-01T15:00:00Z'))).toBe(at('2024-05-01T15:00:00Z'));
    expect(kstDayStart(at('2024-05-01T00:00:00Z'))).toBe(at('2024-04-30T15:00:00Z'));
    expect(dayStart(at('2024-05-01T14:59:59Z'), 0)).toBe(at('2024-05-01T00:00:00Z'));
  });
});

describe('mergeCandles', () => {
  const bar = (i: number): Candle => ({
    ts: i * 60_000,
    open: 100 + i,
    high: 110 + i + (i % 3),
    low: 90 + i - (i % 4),
    close: 101 + i,
    volume: i + 1,
  });
  const bars = Array.from({ length: 10 }, (_, i) => bar(i));

  it('leaves a range that fits as it is', () => {
    expect(mergeCandles(bars, 10)).toEqual({ per: 1, candles: bars });
  });

  it('merges runs of consecutive bars into at most max candles, keeping the range and the volume', () => {
    const { per, candles } = mergeCandles(bars, 4);
    expect(per).toBe(3);
    expect(candles.length).toBe(4);
    expect(candles[0]).toEqual({
      ts: 0,
      open: bars[0].open,
      high: Math.max(bars[0].high, bars[1].high, bars[2].high),
      low: Math.min(bars[0].low, bars[1].low, bars[2].low),
      close: bars[2].close,
      volume: 1 + 2 + 3,
    });
    // The last run is shorter (one bar) and still closes with the last bar.
    expect(candles[3]).toEqual(bars[9]);
    expect(candles.reduce((s, c) => s + c.volume, 0)).toBe(bars.reduce((s, c) => s + c.volume, 0));
    expect(Math.max(...candles.map((c) => c.high))).toBe(Math.max(...bars.map((c) => c.high)));
  });

  it('refuses a max that is not a whole number of at least one', () => {
    expect(() => mergeCandles(bars, 0)).toThrow(/max/);
    expect(() => mergeCandles(bars, 2.5)).toThrow(/max/);
  });
});
