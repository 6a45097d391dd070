import { describe, expect, it } from 'vitest';
import type { TimeframeFeatures } from '../../indicators';
import { evaluateMarket } from '../evaluate';
import { context, snapshot } from '../test-snapshot';
import { ensemble } from './ensemble';

const TODAY = Date.UTC(2026, 2, 10);
const TS = TODAY + 6 * 3_600_000;
const bars = (closes: number[]): Partial<TimeframeFeatures> => ({
  closes,
  close: closes[closes.length - 1],
  highs: closes.map((c) => c + 0.5),
  lows: closes.map((c) => c - 0.5),
});
const rising = Array.from({ length: 25 }, (_, i) => 100 + i); // 100 .. 124
const hours = { ts: [TODAY, TODAY + 3_600_000], opens: [110, 111], close: 124, ema50: 115 };
// Yesterday's day bar: today's session began at TODAY (the engine's day boundary).
const days = { ts: [TODAY - 86_400_000], closes: [109] };

function run(closes: number[], h60: Partial<TimeframeFeatures> = hours, params: object = {}, position?: object) {
  return evaluateMarket({
    strategy: ensemble,
    params: { ...ensemble.defaults, ...params },
    snapshot: snapshot(
      'KRW-X',
      TS,
      { minute15: bars(closes), minute60: h60, day: days },
      { lastPrice: closes[closes.length - 1] },
    ),
    context: context(TS),
    ts: TS,
    position: position as never,
  });
}

describe('six-signal ensemble', () => {
  it('buys when every signal agrees', () => {
    const r = run(rising);
    expect(r.intents).toHaveLength(1);
    expect(r.intents[0].factors).toEqual({
      trend: 1,
      momentum: 1,
      swing: 1,
      scalp: 1,
      intraday: 1,
      breakout: 1,
      composite: 1,
    });
  });

  it('weighs the votes and holds under the buy threshold', () => {
    // Flat bars, last one +0.05 %: momentum +1 and swing +1; scalp 0 (< 0.1 %), no breakout, no trend data;
    // intraday -1: no 60m bar today, so the day opened at yesterday's close 109.
    const flat = [...Array(24).fill(100), 100.05];
    const r = run(flat, {});
    expect(r.intents).toEqual([]);
    const heavy = run(flat, {}, { wMomentum: 3, wSwing: 3 }); // (3 + 3 - 1) / 10 = 0.5
    expect(heavy.intents[0].score).toBeCloseTo(0.5, 12);
    expect(heavy.intents[0].factors).toMatchObject({ scalp: 0, breakout: 0, trend: 0, intraday: -1 });
  });

  it('sells a held position when the vote falls below the sell threshold', () => {
    const falling = [...rising].reverse(); // 124 .. 100
    const position = { market: 'KRW-X', entryPrice: 120, openedTs: TS - 3_600_000 };
    const r = run(falling, { ...hours, close: 100 }, {}, position);
    expect(r.intents).toMatchObject([{ kind: 'exit', score: 1 }]);
    expect(r.intents[0].factors.composite).toBe(-1);
    expect(run(rising, hours, {}, position).intents).toEqual([]);
  });
});
