import { describe, expect, it } from 'vitest';
import type { TimeframeFeatures } from '../../indicators';
import { evaluateMarket } from '../evaluate';
import { validateParams } from '../params';
import { context, snapshot } from '../test-snapshot';
import { rsi } from './rsi';

const TS = Date.UTC(2026, 2, 10, 4);

function run(h60: Partial<TimeframeFeatures>, position?: object, params = rsi.defaults) {
  return evaluateMarket({
    strategy: rsi,
    params,
    snapshot: snapshot('KRW-X', TS, { minute60: h60 }, { lastPrice: h60.close ?? null }),
    context: context(TS),
    ts: TS,
    position: position as never,
  });
}

describe('plain RSI', () => {
  it('buys under 30 and only under 30', () => {
    const r = run({ close: 100, rsi14: 29.9, atr: 2 });
    expect(r.intents.map((i) => i.kind)).toEqual(['entry']);
    expect(r.intents[0].reasons[0]).toBe('RSI14 29.9 < 30');
    expect(run({ close: 100, rsi14: 30, atr: 2 }).intents).toEqual([]);
    expect(run({ close: 100, rsi14: null, atr: 2 }).intents).toEqual([]);
  });

  it('sells over 70 and holds until then', () => {
    const position = { market: 'KRW-X', entryPrice: 95, openedTs: TS - 3_600_000 };
    expect(run({ close: 100, rsi14: 70.1 }, position).intents.map((i) => i.kind)).toEqual(['exit']);
    expect(run({ close: 100, rsi14: 70 }, position).intents).toEqual([]);
    // Long only: oversold while holding does not add.
    expect(run({ close: 100, rsi14: 10 }, position).intents).toEqual([]);
  });

  it('takes its thresholds from the parameters, validated by its schema', () => {
    const v = validateParams(rsi, { oversold: 40, overbought: 60 });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(run({ close: 100, rsi14: 35, atr: 2 }, undefined, v.params).intents).toHaveLength(1);
    const position = { market: 'KRW-X', entryPrice: 95, openedTs: TS - 3_600_000 };
    expect(run({ close: 100, rsi14: 61 }, position, v.params).intents).toHaveLength(1);
    expect(validateParams(rsi, { period: 7 }).ok).toBe(false);
    expect(validateParams(rsi, { overbought: 120 }).ok).toBe(false);
  });
});
