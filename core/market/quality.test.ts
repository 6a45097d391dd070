import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Candle } from './candles';
import { checkCandles, QualityMonitor, RollingMedian } from './quality';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const M = 60_000;
/** Candle at minute i, close `close`, a tight range around it. */
const bar = (i: number, close: number, extra: Partial<Candle> = {}): Candle => ({
  ts: T0 + i * M,
  open: close,
  high: close * 1.0005,
  low: close * 0.9995,
  close,
  volume: 1,
  ...extra,
});
/** Quiet series: +/-0.1% zig-zag. */
const quiet = (n: number, from = 0) => Array.from({ length: n }, (_, i) => bar(from + i, i % 2 ? 100.1 : 100));

describe('checkCandles (stored history)', () => {
  it('flags gaps with their size, duplicates and broken candles, and counts the rest', () => {
    const candles: unknown[] = [
      bar(0, 100),
      bar(1, 100),
      bar(5, 100), // 3 missing
      bar(5, 100), // duplicate
      bar(6, 100, { high: 99 }), // high below low
      bar(7, 100),
      bar(17, 100), // 9 missing
    ];
    const r = checkCandles(candles);
    expect(r.candles).toBe(7);
    expect(r.accepted).toBe(5);
    // the rejected candle at minute 6 leaves minute 6 missing too
    expect(r.gaps).toBe(3);
    expect(r.missingBars).toBe(3 + 1 + 9);
    expect(r.largestGap).toBe(9);
    expect(r.issues.map((i) => [i.kind, i.ts])).toEqual([
      ['gap', T0 + 5 * M],
      ['duplicate', T0 + 5 * M],
      ['invalid', T0 + 6 * M],
      ['gap', T0 + 7 * M],
      ['gap', T0 + 17 * M],
    ]);
  });

  it('flags a move far beyond the median move as a spike, and not the ordinary moves', () => {
    const candles = [...quiet(40), bar(40, 130)];
    const r = checkCandles(candles);
    const spikes = r.issues.filter((i) => i.kind === 'spike');
    expect(spikes.map((s) => s.ts)).toEqual([T0 + 40 * M]);
    // the move is measured from the previous close to the farthest extreme: ln(130 x 1.0005 / 100.1)
    expect(spikes[0].size).toBeCloseTo(Math.log((130 * 1.0005) / 100.1), 12);
  });

  it('scales the spike floor with the bar length: 5% in an hour is ordinary, 10% is a spike', () => {
    const hours = (moves: number[]) => {
      let p = 100;
      return moves.map((m, i) => {
        const open = p;
        p *= 1 + m;
        return { ts: T0 + i * 3_600_000, open, high: Math.max(open, p), low: Math.min(open, p), close: p, volume: 1 };
      });
    };
    const calm = Array.from({ length: 30 }, (_, i) => (i % 2 ? 0.004 : -0.004));
    const spikes = (m: number) =>
      checkCandles(hours([...calm, m]), { timeframe: 'minute60' }).issues.filter((i) => i.kind === 'spike').length;
    expect(spikes(0.05)).toBe(0);
    expect(spikes(0.1)).toBe(1);
    // the same 5% read as a 1-minute stream is beyond the 3% floor
    const asMinutes = checkCandles(hours([...calm, 0.05]), { timeframe: 'minute1' });
    expect(asMinutes.issues.filter((i) => i.kind === 'spike').length).toBe(1);
  });

  it('rejects misaligned bars', () => {
    const r = checkCandles([{ ...bar(0, 100), ts: T0 + 30_000 }]);
    expect(r.issues[0].kind).toBe('misaligned');
    expect(r.accepted).toBe(0);
  });
});

describe('QualityMonitor (live stream)', () => {
  it('treats the same ts again as a revision and an older one as out of order', () => {
    const q = new QualityMonitor();
    expect(q.observe(bar(0, 100)).action).toBe('append');
    expect(q.observe(bar(1, 100)).action).toBe('append');
    expect(q.observe(bar(1, 101)).action).toBe('replace');
    const late = q.observe(bar(0, 100));
    expect(late.action).toBe('reject');
    expect(late.issues[0].kind).toBe('out-of-order');
  });

  it('copies a raw candle it checked, and keeps a checked one as it is; both raise the same issues', () => {
    const raw = { ...bar(0, 100), extra: 'dropped' };
    const copied = new QualityMonitor().observe(raw);
    expect(copied.action === 'append' && copied.candle).toEqual(bar(0, 100));
    expect(copied.action === 'append' && copied.candle).not.toBe(raw);
    const checked = bar(0, 100);
    const kept = new QualityMonitor().observe(checked, true);
    expect(kept.action === 'append' && kept.candle).toBe(checked);
    const [a, b] = [new QualityMonitor(), new QualityMonitor()];
    const series = [...quiet(30), bar(30, 130), bar(31, 130)];
    for (const c of series) expect(b.observe(c, true)).toEqual(a.observe(c));
    expect(b.status(T0 + 32 * M)).toEqual(a.status(T0 + 32 * M));
    expect(a.status(T0 + 32 * M).ok).toBe(false); // the spike is there
  });

  it('a revision that removes the spike clears it', () => {
    const q = new QualityMonitor();
    for (const c of quiet(30)) q.observe(c);
    expect(q.observe(bar(30, 150)).issues.map((i) => i.kind)).toEqual(['spike']);
    expect(q.status(T0 + 31 * M).ok).toBe(false);
    expect(q.observe(bar(30, 100.05)).issues).toEqual([]);
    expect(q.status(T0 + 31 * M)).toEqual({ ok: true, issues: [] });
  });

  it('says ok for a clean recent window and explains every refusal', () => {
    const q = new QualityMonitor({ windowBars: 60 });
    expect(q.status(T0)).toEqual({ ok: false, issues: ['no data'] });
    for (const c of quiet(60)) q.observe(c);
    expect(q.status(T0 + 60 * M)).toEqual({ ok: true, issues: [] });
    // stale: nothing for 10 bars
    expect(q.status(T0 + 71 * M).issues).toContain('stale: no candle for 11 bars');
    // broken candle: blocks while recent, not after the window
    q.observe(bar(61, 100, { low: -1 }));
    const s = q.status(T0 + 62 * M);
    expect(s.ok).toBe(false);
    expect(s.issues.some((i) => i.startsWith('invalid at'))).toBe(true);
  });

  it('flags a market whose recent window is mostly missing', () => {
    const q = new QualityMonitor({ windowBars: 60, maxMissingRatio: 0.5 });
    // one candle every 3 minutes: 20 of 60 present, 40 missing
    for (let i = 0; i < 60; i += 3) q.observe(bar(i, 100));
    const s = q.status(T0 + 60 * M);
    expect(s.ok).toBe(false);
    expect(s.issues).toContain('sparse: 40 of the last 60 bars missing');
    // one candle every 2 minutes: 30 missing is not more than half
    const q2 = new QualityMonitor({ windowBars: 60, maxMissingRatio: 0.5 });
    for (let i = 0; i < 60; i += 2) q2.observe(bar(i, 100));
    expect(q2.status(T0 + 60 * M).ok).toBe(true);
  });

  it('a spike blocks only while it is within the window', () => {
    const q = new QualityMonitor({ windowBars: 20, staleBars: 1000 });
    const candles = [...quiet(30), bar(30, 140), ...quiet(20, 31)];
    const spikes = candles.flatMap((c) =>
      q
        .observe(c)
        .issues.filter((i) => i.kind === 'spike')
        .map((i) => i.ts),
    );
    // up at minute 30 and straight back down at 31: both are spikes
    expect(spikes).toEqual([T0 + 30 * M, T0 + 31 * M]);
    expect(q.status(T0 + 51 * M).ok).toBe(false);
    q.observe(bar(51, 100));
    expect(q.status(T0 + 52 * M)).toEqual({ ok: true, issues: [] });
  });
});

describe('RollingMedian', () => {
  it('property: gives the median of the last n values pushed, repeated values included', () => {
    const value = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.001, 0.5));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.array(value, { maxLength: 300 }), (size, xs) => {
        const m = new RollingMedian(size);
        expect(m.median()).toBeNaN();
        xs.forEach((x, i) => {
          m.push(x);
          const window = xs.slice(Math.max(0, i + 1 - size), i + 1).sort((a, b) => a - b);
          const k = window.length >> 1;
          expect(m.count).toBe(window.length);
          expect(m.median()).toBe(window.length % 2 === 1 ? window[k] : (window[k - 1] + window[k]) / 2);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('the spike gate at its edge', () => {
  it('property: after a calm history, a candle is a spike exactly when its |log move| from the previous close exceeds spikeMinMove, also a hair either side of it', () => {
    // A relative nudge of the edge ratio: a few ulps, about the size of the monitor's calm margin (1e-9), or larger.
    const nudge = fc.oneof(
      fc.integer({ min: -6, max: 6 }).map((k) => k * 2 ** -52),
      fc.double({ min: -3e-9, max: 3e-9, noNaN: true }),
      fc.double({ min: -1e-3, max: 1e-3, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1e9, noNaN: true }),
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.boolean(),
        nudge,
        (prev, spikeMinMove, up, d) => {
          const q = new QualityMonitor({ spikeMinMove });
          // Flat closes: every close ratio is 1, the median move 0, so the threshold is spikeMinMove itself.
          for (let i = 0; i < 12; i++) q.observe(bar(i, prev, { high: prev, low: prev }));
          const edge = prev * Math.exp(up ? spikeMinMove : -spikeMinMove) * (1 + d);
          const c = bar(
            12,
            prev,
            up ? { high: Math.max(edge, prev), low: prev } : { high: prev, low: Math.min(edge, prev) },
          );
          const move = Math.max(Math.abs(Math.log(c.high / prev)), Math.abs(Math.log(c.low / prev)));
          const spiked = q.observe(c).issues.some((i) => i.kind === 'spike');
          expect(spiked).toBe(move > spikeMinMove);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
