import { describe, expect, it } from 'vitest';
import type { TimeframeFeatures } from '../../indicators';
import { evaluateMarket } from '../evaluate';
import { context, snapshot } from '../test-snapshot';
import { rsiReversion } from './rsi-reversion';

const TS = Date.UTC(2026, 2, 10, 4);
const bb = { upper: 110, middle: 100, lower: 95.1, width: 0.149 };
const oversold = { close: 95, rsi14: 25, bb, atr: 1 };

function run(m15: Partial<TimeframeFeatures>, h60: Partial<TimeframeFeatures> = {}, position?: object) {
  return evaluateMarket({
    strategy: rsiReversion,
    params: rsiReversion.defaults,
    snapshot: snapshot('KRW-X', TS, { minute15: m15, minute60: h60 }, { lastPrice: m15.close ?? null }),
    context: context(TS),
    ts: TS,
    position: position as never,
  });
}

describe('RSI reversion', () => {
  it('buys an oversold close at the lower band and targets the middle', () => {
    const r = run(oversold);
    expect(r.intents).toHaveLength(1);
    // (100 - 95) / 95 = 5.2632 %
    expect(r.intents[0].targetPct).toBeCloseTo(5.2632, 4);
    // momentum -0.5 at weight -1, volatility 1 - |2 (1.0526 - 0.3) / 2.7 - 1| at weight 1; sum of |weights| 4.5
    const vol = 1 - Math.abs((2 * (100 / 95 - 0.3)) / 2.7 - 1);
    expect(r.intents[0].score).toBeCloseTo((0.5 + vol) / 4.5, 4);
    expect(r.decisions[0].inputs.targetPct).toBeCloseTo(5.2632, 4);
  });

  it('stays out when not oversold, away from the band, or in a strong downtrend', () => {
    expect(run({ ...oversold, rsi14: 35 }).intents).toEqual([]);
    expect(run({ ...oversold, close: 97 }).intents).toEqual([]);
    const crash = { close: 90, ema9: 92, ema21: 95, ema50: 100, ema200: 110, adx: 30 };
    expect(run(oversold, crash).intents).toEqual([]);
  });

  it('refuses a target too small for the costs', () => {
    // Middle only 0.3 % above the close: below 2 x 0.2 % round trip.
    const r = run({ ...oversold, bb: { ...bb, middle: 95.285 } });
    expect(r.intents).toEqual([]);
    expect(r.decisions[0].reasons.at(-1)).toMatch(/EdgeBelowCost/);
  });

  it('exits on RSI recovery or at the band middle', () => {
    const position = { market: 'KRW-X', entryPrice: 95, openedTs: TS - 3_600_000 };
    expect(run({ ...oversold, close: 98, rsi14: 56 }, {}, position).intents[0].reasons[0]).toMatch(/RSI14 56.0 >= 55/);
    expect(run({ ...oversold, close: 100.5, rsi14: 50 }, {}, position).intents[0].reasons[0]).toMatch(/band middle/);
    expect(run({ ...oversold, close: 98, rsi14: 45 }, {}, position).intents).toEqual([]);
  });
});
