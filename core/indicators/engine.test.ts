import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../market/candles';
import { bucketStart, resample, TIMEFRAMES, type Timeframe } from '../market/timeframes';
import { logReturnStd } from './bar-indicators';
import { FeatureEngine, LookAheadError, UndeclaredTimeframeError } from './engine';

const M = 60_000;
const H = 3_600_000;
const T0 = Date.parse('2024-05-01T14:00:00Z'); // an hour before a KST midnight

/** Deterministic 1-minute (or `stepMs`) candles: a sine-driven walk, with the listed bar indexes left out. */
function candles(
  n: number,
  opts: { start?: number; stepMs?: number; p0?: number; phase?: number; skip?: Set<number> } = {},
) {
  const { start = T0, stepMs = M, p0 = 1000, phase = 0, skip } = opts;
  const out: Candle[] = [];
  let p = p0;
  for (let i = 0; i < n; i++) {
    const open = p;
    p *= 1 + 0.002 * Math.sin(i * 0.7 + phase) + 0.001 * Math.cos(i * 0.13 + phase);
    if (skip?.has(i)) continue;
    const volume = 1 + Math.abs(Math.sin(i * 0.37 + phase));
    out.push({
      ts: start + i * stepMs,
      open,
      high: Math.max(open, p) * 1.001,
      low: Math.min(open, p) * 0.999,
      close: p,
      volume,
    });
  }
  return out;
}

/** Deep equality with numbers equal to 12 significant digits (running sums round differently after a revision). */
function expectNear(a: unknown, b: unknown, path = '') {
  if (typeof a === 'number' && typeof b === 'number') {
    expect(Math.abs(a - b), path).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    expect(Object.keys(a).sort(), path).toEqual(Object.keys(b).sort());
    for (const k of Object.keys(a))
      expectNear((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
  } else expect(a, path).toEqual(b);
}

function feed(engine: FeatureEngine, market: string, cs: readonly Candle[]) {
  for (const c of cs) engine.ingest(market, c);
}

describe('FeatureEngine: no look-ahead', () => {
  it('every timeframe shows exactly the bars closed at the decision time', () => {
    const all = candles(1500, { skip: new Set([3, 4, 200, 201, 202, 777]) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1500 * M - 1 }), (offset) => {
        const decisionTs = T0 + offset;
        const seen = all.filter((c) => c.ts < decisionTs);
        const engine = new FeatureEngine();
        feed(engine, 'KRW-XRP', seen);
        const first = engine.snapshot('KRW-XRP', decisionTs);
        const snap = engine.snapshot('KRW-XRP', decisionTs); // second look: closed values kept from before the forming bar
        expect(snap.timeframes).toEqual(first.timeframes);
        for (const tf of TIMEFRAMES) {
          // A fresh engine that never saw a candle of this timeframe's forming bar must agree.
          const closedOnly = seen.filter((c) => c.ts < bucketStart(decisionTs, tf));
          const reference = new FeatureEngine();
          feed(reference, 'KRW-XRP', closedOnly);
          expect(snap.timeframes[tf]).toEqual(reference.snapshot('KRW-XRP', decisionTs).timeframes[tf]);
          // and the bars are the resampled closed candles
          const bars = resample(closedOnly, tf);
          expect(snap.timeframes[tf].closes).toEqual(bars.slice(-50).map((b) => b.close));
          expect(snap.timeframes[tf].barsSeen).toBe(bars.length);
          expect(snap.timeframes[tf].lastClosedTs).toBe(bars.length ? bars[bars.length - 1].ts : null);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('a spike planted after the decision time changes nothing in the snapshot', () => {
    const history = candles(600);
    const decisionTs = history[history.length - 1].ts + M; // the last candle has just closed
    const engine = new FeatureEngine();
    feed(engine, 'KRW-SOL', history);
    const before = structuredClone(engine.snapshot('KRW-SOL', decisionTs));
    const last = history[history.length - 1].close;
    engine.ingest('KRW-SOL', { ts: decisionTs, open: last, high: last * 3, low: last, close: last * 3, volume: 1e6 });
    expect(engine.snapshot('KRW-SOL', decisionTs)).toEqual(before);
    // one bar later the spike is in the forming bar, still not in any closed bar
    const later = engine.snapshot('KRW-SOL', decisionTs + 30_000);
    expect(later.forming?.candle.close).toBe(last * 3);
    for (const tf of TIMEFRAMES) expect(later.timeframes[tf]).toEqual(before.timeframes[tf]);
    // a second future bar would close the first one: that can no longer be hidden, so it is an error
    engine.ingest('KRW-SOL', { ts: decisionTs + M, open: last, high: last, low: last, close: last, volume: 1 });
    expect(() => engine.snapshot('KRW-SOL', decisionTs)).toThrow(LookAheadError);
  });

  it('a spike inside the forming hour moves the 1-minute view but no closed hourly value', () => {
    const history = candles(590);
    const engine = new FeatureEngine();
    feed(engine, 'KRW-SOL', history);
    const decisionTs = history[history.length - 1].ts + M;
    const before = structuredClone(engine.snapshot('KRW-SOL', decisionTs));
    expect(bucketStart(decisionTs, 'minute60')).toBeLessThan(decisionTs); // the hour is still forming
    const last = history[history.length - 1].close;
    engine.ingest('KRW-SOL', { ts: decisionTs, open: last, high: last * 2, low: last, close: last * 2, volume: 500 });
    const after = engine.snapshot('KRW-SOL', decisionTs + M);
    expect(after.timeframes.minute1.close).toBe(last * 2);
    expect(after.timeframes.minute60).toEqual(before.timeframes.minute60);
    expect(after.timeframes.day).toEqual(before.timeframes.day);
  });
});

describe("FeatureEngine: a snapshot's recent bars", () => {
  it('are copied off the ring when first read, as at the decision time; read after a later bar closed they throw', () => {
    const hours = candles(80, { stepMs: H });
    const engine = new FeatureEngine({ baseTimeframe: 'minute60' });
    feed(engine, 'KRW-XRP', hours.slice(0, 60));
    const decisionTs = hours[59].ts + H;
    const snap = engine.snapshot('KRW-XRP', decisionTs);
    const h = snap.timeframes.minute60;
    // Read once before the engine moves on: these stay the decision time's bars.
    const closes = h.closes;
    expect(closes).toEqual(hours.slice(10, 60).map((c) => c.close));
    // The forming bar (ingested, not closed) changes no closed bar: still readable, and the same.
    engine.ingest('KRW-XRP', hours[60]);
    expect(h.highs).toEqual(hours.slice(10, 60).map((c) => c.high));
    expect(h.closes).toBe(closes);
    // Once the next bar closed, the ring holds it: bars never read before can no longer be those of decisionTs.
    engine.ingest('KRW-XRP', hours[61]);
    expect(h.closes).toBe(closes);
    expect(() => h.lows).toThrow(LookAheadError);
    expect(() => JSON.stringify(snap)).toThrow(LookAheadError);
    expect(engine.snapshot('KRW-XRP', hours[60].ts + H).timeframes.minute60.lows).toEqual(
      hours.slice(11, 61).map((c) => c.low),
    );
  });

  it('are frozen, shared until the next bar closes, and part of JSON', () => {
    const engine = new FeatureEngine({ baseTimeframe: 'minute60' });
    const hours = candles(30, { stepMs: H });
    feed(engine, 'KRW-XRP', hours);
    const decisionTs = hours[29].ts + H;
    const a = engine.snapshot('KRW-XRP', decisionTs).timeframes.minute60;
    const b = engine.snapshot('KRW-XRP', decisionTs).timeframes.minute60;
    expect(b).toBe(a);
    expect(Object.isFrozen(a.volumes)).toBe(true);
    expect(() => (a.volumes as number[]).push(1)).toThrow(TypeError);
    const json = JSON.parse(JSON.stringify(a));
    expect(Object.keys(json)).toContain('closes');
    expect(json.ts).toEqual(hours.map((c) => c.ts));
    expect(json.opens).toEqual(hours.map((c) => c.open));
    expect(json.volumes).toEqual(hours.map((c) => c.volume));
    expect(json.rsi14).toBe(a.rsi14);
    const empty = JSON.parse(JSON.stringify(new FeatureEngine().snapshot('KRW-NONE', decisionTs).timeframes.day));
    expect(empty).toMatchObject({ barsSeen: 0, closes: [], lastClosedTs: null });
  });
});

describe('FeatureEngine: the forming bar', () => {
  it('shows the forming 1-minute bar with revisions, and its values once closed match', () => {
    const history = candles(300);
    const next = candles(301)[300];
    const engine = new FeatureEngine();
    feed(engine, 'KRW-ETH', history);
    const mid = next.ts + 20_000;
    const early = { ...next, close: next.open, high: next.open, low: next.open, volume: 0.1 };
    engine.ingest('KRW-ETH', early);
    expect(engine.snapshot('KRW-ETH', mid).forming?.candle).toEqual(early);
    expect(engine.ingest('KRW-ETH', next).action).toBe('replace');
    const s = engine.snapshot('KRW-ETH', mid + 10_000);
    expect(s.forming?.candle).toEqual(next);
    expect(s.lastPrice).toBe(next.close);
    expect(s.timeframes.minute1.lastClosedTs).toBe(history[299].ts);
    // shared between snapshots, so frozen
    expect(() => (s.timeframes.minute1.closes as number[]).push(1)).toThrow(TypeError);
    // once closed, the closed 1-minute values are what the forming view showed (no revision since)
    const closed = engine.snapshot('KRW-ETH', next.ts + M);
    expect(closed.forming).toBeNull();
    const { timeframe, barsSeen, lastClosedTs, ts, opens, highs, lows, closes, volumes, ...values } =
      closed.timeframes.minute1;
    expect(values).toEqual(s.forming?.values);
    // and equal a fresh engine that only ever saw the final candle
    const fresh = new FeatureEngine();
    feed(fresh, 'KRW-ETH', [...history, next]);
    expectNear(fresh.snapshot('KRW-ETH', next.ts + M).timeframes.minute1, closed.timeframes.minute1);
  });

  it('rejects broken and out-of-order candles and marks the market untradeable with the reason', () => {
    const engine = new FeatureEngine();
    const history = candles(120);
    feed(engine, 'KRW-ADA', history);
    const end = history[119].ts + M;
    expect(engine.snapshot('KRW-ADA', end).quality).toEqual({ ok: true, issues: [] });
    expect(engine.ingest('KRW-ADA', history[50]).action).toBe('reject');
    const bad = engine.ingest('KRW-ADA', { ...history[119], ts: end, high: 1, low: 2 });
    expect(bad.action).toBe('reject');
    expect(bad.issues[0].detail).toContain('high 1 is below low 2');
    const q = engine.snapshot('KRW-ADA', end + M).quality;
    expect(q.ok).toBe(false);
    expect(q.issues.join()).toContain('invalid at');
    expect(engine.snapshot('KRW-NONE', end).quality).toEqual({ ok: false, issues: ['no data'] });
  });
});

describe('FeatureEngine: warm-up', () => {
  it('loads longer timeframes directly; resampled and loaded history agree', () => {
    const minutes = candles(24 * 60, { start: Date.parse('2024-05-01T15:00:00Z') });
    const decisionTs = minutes[minutes.length - 1].ts + M;
    const hours = resample(minutes, 'minute60');
    const a = new FeatureEngine();
    feed(a, 'KRW-BTC', minutes);
    const b = new FeatureEngine();
    expect(b.warmUp('KRW-BTC', 'minute60', hours)).toEqual({ accepted: 24, rejected: [] });
    b.warmUp('KRW-BTC', 'minute1', minutes);
    const sa = a.snapshot('KRW-BTC', decisionTs);
    const sb = b.snapshot('KRW-BTC', decisionTs);
    expect(sb.timeframes.minute60).toEqual(sa.timeframes.minute60);
    expect(sb.timeframes.minute1).toEqual(sa.timeframes.minute1);
    expect(sb.timeframes.day.barsSeen).toBe(1); // 15:00 UTC to 15:00 UTC is one KST day
    // the other order: minute1 first, then the hourly history replaces what resampling built
    const c = new FeatureEngine();
    c.warmUp('KRW-BTC', 'minute1', minutes);
    c.warmUp('KRW-BTC', 'minute60', hours);
    expect(c.snapshot('KRW-BTC', decisionTs).timeframes.minute60).toEqual(sa.timeframes.minute60);
  });

  it('takes the bar forming at asOfTs as the start of the forming bar, not as a closed one', () => {
    const minutes = candles(180, { start: Date.parse('2024-05-01T00:00:00Z') });
    const asOf = minutes[145].ts + 20_000; // fetched 20 seconds into minute 145, 25 minutes into the third hour
    // what the exchange returns at asOf: two closed hours and the third hour so far (minutes 120..144)
    const fetched = resample(
      minutes.filter((c) => c.ts < minutes[145].ts),
      'minute60',
    );
    const engine = new FeatureEngine();
    const bad = { ...fetched[1], ts: fetched[1].ts + 5 * M };
    const r = engine.warmUp('KRW-DOT', 'minute60', [fetched[0], bad, ...fetched.slice(1)], asOf);
    expect(r.accepted).toBe(3);
    expect(r.rejected).toEqual([{ ts: bad.ts, reason: 'not the open time of a minute60 bar' }]);
    expect(engine.snapshot('KRW-DOT', asOf).timeframes.minute60.lastClosedTs).toBe(fetched[1].ts);
    // minutes from the one holding asOf on are merged into it: the hour closes as the full hour
    feed(engine, 'KRW-DOT', minutes.slice(145));
    const s = engine.snapshot('KRW-DOT', minutes[179].ts + M);
    expect(s.timeframes.minute60.closes).toEqual(resample(minutes, 'minute60').map((b) => b.close));
    expect(s.timeframes.minute60.volumes).toEqual(resample(minutes, 'minute60').map((b) => b.volume));
  });

  it("rejects Upbit's 00:00 UTC day candles on a KST engine, accepts them on a UTC one", () => {
    const days = candles(5, { stepMs: 86_400_000, start: Date.parse('2024-05-01T00:00:00Z') });
    const kst = new FeatureEngine().warmUp('KRW-BTC', 'day', days);
    expect(kst.accepted).toBe(0);
    expect(kst.rejected[0].reason).toContain('00:00 KST');
    expect(new FeatureEngine({ dayBoundary: 'utc' }).warmUp('KRW-BTC', 'day', days).accepted).toBe(5);
  });
});

describe('FeatureEngine: cross-market figures', () => {
  const hourly = new FeatureEngine({ baseTimeframe: 'minute60', correlation: { timeframe: 'minute60', window: 48 } });
  const start = Date.parse('2024-05-01T15:00:00Z');
  const btc = candles(200, { stepMs: H, start, p0: 9e7 });
  // same returns as BTC at another price level; and mirrored returns
  const twin = btc.map((c) => ({
    ...c,
    open: c.open / 1e4,
    high: c.high / 1e4,
    low: c.low / 1e4,
    close: c.close / 1e4,
  }));
  const mirror = btc.map((c) => {
    const f = (x: number) => 1e10 / x;
    return { ...c, open: f(c.open), high: f(c.low), low: f(c.high), close: f(c.close), volume: c.volume / 10 };
  });
  const other = candles(200, { stepMs: H, start, p0: 50, phase: 1.3 }).map((c) => ({ ...c, volume: c.volume * 1e6 }));
  for (let i = 0; i < 200; i++) {
    hourly.ingest('KRW-BTC', btc[i]);
    hourly.ingest('KRW-ETH', mirror[i]);
    hourly.ingest('KRW-TWIN', twin[i]);
    hourly.ingest('KRW-OTHER', other[i]);
  }
  const end = btc[199].ts + H;

  it('correlates returns with KRW-BTC and KRW-ETH', () => {
    const s = hourly.snapshot('KRW-TWIN', end);
    expect(s.corrBtc).toBeCloseTo(1, 9);
    expect(s.corrEth).toBeCloseTo(-1, 9);
    expect(hourly.snapshot('KRW-BTC', end).corrBtc).toBeCloseTo(1, 9);
  });

  it('computes correlations and the regime when first read, as at the decision time, and never after more candles', () => {
    const e = new FeatureEngine({ baseTimeframe: 'minute60' });
    for (let i = 0; i < 199; i++) {
      e.ingest('KRW-BTC', btc[i]);
      e.ingest('KRW-TWIN', twin[i]);
    }
    const at = btc[198].ts + H;
    const lazy = e.snapshot('KRW-TWIN', at);
    const read = e.snapshot('KRW-TWIN', at);
    // Read now: the same figures as the engine's own statistic and as JSON.
    expect(read.corrBtc).toBe(e.correlation('KRW-TWIN', 'KRW-BTC', at));
    expect(JSON.parse(JSON.stringify(read))).toMatchObject({ corrBtc: read.corrBtc, regime: read.regime });
    // A figure read once is kept; one never read is not computed once the engine moved on: that would look ahead.
    e.ingest('KRW-BTC', btc[199]);
    e.ingest('KRW-TWIN', { ...twin[199], close: twin[199].close * 1.5, high: twin[199].close * 1.5 });
    expect(read.corrBtc).toBe(e.correlation('KRW-TWIN', 'KRW-BTC', at));
    expect(() => lazy.corrBtc).toThrow(LookAheadError);
    expect(() => lazy.regime).toThrow(LookAheadError);
  });

  it('resamples hourly bars into KST days and 4-hour bars', () => {
    const s = hourly.snapshot('KRW-BTC', end);
    expect(s.timeframes.day.barsSeen).toBe(8); // 200 hours from a KST midnight: 8 full days
    expect(s.timeframes.day.ts[0]).toBe(start);
    expect(s.timeframes.minute240.barsSeen).toBe(50);
    expect(s.timeframes.minute15.barsSeen).toBe(0); // shorter than the base timeframe
  });

  it('volIndex is the mean realized volatility of the top-N markets by traded value', () => {
    const e = new FeatureEngine({
      baseTimeframe: 'minute60',
      volIndex: { timeframe: 'minute60', topN: 2, valueBars: 24 },
    });
    const series = { 'KRW-BTC': btc, 'KRW-ETH': mirror, 'KRW-OTHER': other };
    for (const [m, cs] of Object.entries(series)) feed(e, m, cs);
    const value = (cs: Candle[]) => cs.slice(-24).reduce((s, c) => s + c.close * c.volume, 0);
    const ranked = Object.values(series).sort((a, b) => value(b) - value(a));
    const vol = (cs: Candle[]) => logReturnStd(cs.slice(-21).map((c) => c.close));
    const ctx = e.context(end);
    expect(ctx.volIndexMarkets).toBe(2);
    expect(ctx.volIndex).toBeCloseTo((vol(ranked[0]) + vol(ranked[1])) / 2, 12);
  });

  it('btcReturn and btcDrop look back btcWindowMinutes', () => {
    const e = new FeatureEngine({ baseTimeframe: 'minute60', btcWindowMinutes: 180 });
    const closes = [100, 100, 104, 110, 99, 102];
    closes.forEach((close, i) => {
      e.ingest('KRW-BTC', { ts: start + i * H, open: close, high: close, low: close, close, volume: 1 });
    });
    const ctx = e.context(start + 6 * H);
    // window start = 3 hours before: the close of the bar that closed then is 104 (bar 2); the peak after is 110
    expect(ctx.btcReturn).toBeCloseTo(102 / 104 - 1, 12);
    expect(ctx.btcDrop).toBeCloseTo((110 - 102) / 110, 12);
  });

  it('a context computes its figures when read: kept once read, a look-ahead error when first read after more candles', () => {
    const e = new FeatureEngine({ baseTimeframe: 'minute60', btcWindowMinutes: 180 });
    const closes = [100, 100, 104, 110, 99, 102];
    closes.forEach((close, i) => {
      e.ingest('KRW-BTC', { ts: start + i * H, open: close, high: close, low: close, close, volume: 1 });
    });
    const read = e.context(start + 6 * H);
    const unread = e.context(start + 6 * H);
    // Every field shows in JSON, in the order of MarketContext (reading them all).
    expect(Object.keys(JSON.parse(JSON.stringify(read)))).toEqual([
      'decisionTs',
      'volIndex',
      'volIndexMarkets',
      'btcReturn',
      'btcDrop',
      'btcWindowMinutes',
    ]);
    e.ingest('KRW-BTC', { ts: start + 6 * H, open: 90, high: 90, low: 90, close: 90, volume: 1 });
    expect(read.btcReturn).toBeCloseTo(102 / 104 - 1, 12);
    expect(() => unread.btcReturn).toThrow(LookAheadError);
    expect(() => unread.volIndex).toThrow(LookAheadError);
  });
});

describe('FeatureEngine: features of some timeframes only', () => {
  it('shows the chosen timeframes in full and only the bar counts of the others, whose other fields throw', () => {
    const history = candles(2000);
    const some = new FeatureEngine({ featureTimeframes: ['minute15', 'day'] });
    const all = new FeatureEngine();
    feed(some, 'KRW-ETH', history);
    feed(all, 'KRW-ETH', history);
    const ts = history[1999].ts + 30_000; // the last bar still forming
    const a = some.snapshot('KRW-ETH', ts);
    const b = all.snapshot('KRW-ETH', ts);
    expect(a.timeframes.minute15).toEqual(b.timeframes.minute15);
    expect(a.timeframes.day).toEqual(b.timeframes.day);
    // correlation, regime, quality, last price and the market context come from bars, kept for every timeframe
    expect({ ...a, timeframes: null, forming: null }).toEqual({ ...b, timeframes: null, forming: null });
    const related = (x: typeof a) => [x.corrBtc, x.corrEth, x.regime];
    expect(related(a)).toEqual(related(b));
    const plain = (c: unknown) => JSON.parse(JSON.stringify(c));
    expect(plain(some.context(ts))).toEqual(plain(all.context(ts)));
    expect(a.forming?.candle).toEqual(b.forming?.candle);
    for (const tf of ['minute1', 'minute5', 'minute60', 'minute240'] as const) {
      const { timeframe, barsSeen, lastClosedTs } = b.timeframes[tf];
      expect({ ...a.timeframes[tf] }).toEqual({ timeframe, barsSeen, lastClosedTs });
      for (const field of ['ema21', 'close', 'closes'] as const)
        expect(() => a.timeframes[tf][field]).toThrow(UndeclaredTimeframeError);
    }
    expect(() => a.timeframes.minute5.rsi14).toThrow(
      /minute5\.rsi14 read, but this FeatureEngine computes no minute5 features: .*`timeframes`/,
    );
    expect(() => a.forming?.values.atr).toThrow(/minute1\.atr/);
  });
});

describe('FeatureEngine: tracked timeframes only', () => {
  it('builds no bars of an untracked timeframe: reading it throws, bar counts too; the rest as with all tracked', () => {
    const history = candles(2000);
    // minute60 stays: the engine's correlation, regime and volIndex run on it.
    const some = new FeatureEngine({ featureTimeframes: ['minute15'], trackedTimeframes: ['minute5'] });
    const all = new FeatureEngine({ featureTimeframes: ['minute15'] });
    feed(some, 'KRW-ETH', history);
    feed(all, 'KRW-ETH', history);
    const ts = history[1999].ts + 30_000;
    const a = some.snapshot('KRW-ETH', ts);
    const b = all.snapshot('KRW-ETH', ts);
    for (const tf of ['minute1', 'minute5', 'minute15', 'minute60'] as const)
      expect(JSON.stringify(a.timeframes[tf])).toBe(JSON.stringify(b.timeframes[tf]));
    expect([a.corrBtc, a.regime, a.quality, a.lastPrice]).toEqual([b.corrBtc, b.regime, b.quality, b.lastPrice]);
    expect(b.timeframes.minute240.barsSeen).toBeGreaterThan(0);
    for (const tf of ['minute240', 'day'] as const) {
      expect(a.timeframes[tf].timeframe).toBe(tf);
      for (const field of ['barsSeen', 'lastClosedTs', 'close', 'rsi14'] as const)
        expect(() => a.timeframes[tf][field]).toThrow(UndeclaredTimeframeError);
      // As JSON (logs, tests) it names the timeframe only.
      expect(JSON.parse(JSON.stringify(a.timeframes[tf]))).toEqual({ timeframe: tf });
    }
    // Warming one up tracks it from then on.
    some.warmUp('KRW-ETH', 'day', [], ts);
    expect(some.snapshot('KRW-ETH', ts).timeframes.day.barsSeen).toBe(0);
    expect(() => new FeatureEngine({ trackedTimeframes: ['minute7' as Timeframe] })).toThrow(/trackedTimeframes/);
  });
});

describe('FeatureEngine: options', () => {
  it('refuses nonsense options with the name of the option', () => {
    expect(() => new FeatureEngine({ historyLength: 0 })).toThrow(/historyLength/);
    expect(() => new FeatureEngine({ featureTimeframes: ['minute3' as Timeframe] })).toThrow(/featureTimeframes/);
    expect(() => new FeatureEngine({ correlation: { timeframe: 'minute60', window: 1.5 } })).toThrow(
      /correlation.window/,
    );
    expect(() =>
      new FeatureEngine({ baseTimeframe: 'minute60' }).warmUp('KRW-BTC', 'minute5' as Timeframe, []),
    ).toThrow(/shorter than the engine's base timeframe/);
  });
});
