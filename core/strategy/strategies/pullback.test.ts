import { describe, expect, it } from 'vitest';
import type { TimeframeFeatures } from '../../indicators';
import { evaluateMarket } from '../evaluate';
import { context, snapshot } from '../test-snapshot';
import { type PullbackMemory, pullback } from './pullback';

const T = Date.UTC(2026, 2, 10, 3, 0);
const M15 = 15 * 60_000;
const uptrend60 = { close: 110, ema9: 108, ema21: 105, ema50: 100, ema200: 90, adx: 30 };
const dipBar = { lastClosedTs: T, lows: [98], close: 99, ema21: 100, rsi7: 25, rsi14: 35, atr: 1, volumeSpike: 1 };
const recoveryBar = {
  lastClosedTs: T + M15,
  lows: [100.2],
  close: 101.5,
  ema21: 100,
  rsi7: 38,
  rsi14: 38,
  atr: 1,
  volumeSpike: 1.5,
};

function run(m15: Partial<TimeframeFeatures>, memory?: PullbackMemory, over: Record<string, unknown> = {}) {
  const ts = (m15.lastClosedTs ?? T) + M15;
  return evaluateMarket({
    strategy: pullback,
    params: { ...pullback.defaults, ...(over.params as object) },
    snapshot: snapshot(
      'KRW-X',
      ts,
      { minute60: (over.h as object) ?? uptrend60, minute15: m15, minute5: { close: 101.5, ema21: 100.8 } },
      { lastPrice: m15.close ?? null, ...(over.snap as object) },
    ),
    context: context(ts),
    memory,
    ts,
    position: over.position as never,
  });
}

describe('pullback', () => {
  it('buys the recovery after a dip below EMA21 and an oversold RSI inside a 60m uptrend', () => {
    const first = run(dipBar);
    expect(first.intents).toEqual([]); // still below EMA21
    expect(first.memory).toEqual({ barTs: T, barsSinceDip: 0, barsSinceOversold: 0 });
    const second = run(recoveryBar, first.memory);
    expect(second.memory).toEqual({ barTs: T + M15, barsSinceDip: 1, barsSinceOversold: 1 });
    expect(second.intents).toHaveLength(1);
    const [entry] = second.intents;
    expect(entry.kind).toBe('entry');
    // trend 1 (x2), momentum = RSI (38-50)/50 = -0.24, volatility at ATR 0.985% in [0.3, 3], volume log2(1.5)
    const x = (1 / 101.5) * 100;
    const vol = 1 - Math.abs((2 * (x - 0.3)) / 2.7 - 1);
    expect(entry.score).toBeCloseTo((2 - 0.24 + vol + Math.log2(1.5)) / 6, 4);
    expect(entry.reasons.join(' ')).toMatch(/dipped below EMA21 1 bars ago/);
    const [decision] = second.decisions;
    expect(decision).toMatchObject({ market: 'KRW-X', action: 'entry', strategyId: 'pullback' });
    expect(decision.inputs).toMatchObject({ close: 101.5, rsi14: 38, targetPct: 2, costPct: 0.2 });
    expect(JSON.stringify(decision).length).toBeLessThan(2000);
  });

  it('does not buy without the remembered dip, in a downtrend, with RSI too high or thin volume', () => {
    expect(run(recoveryBar).intents).toEqual([]); // fresh memory: no dip seen
    const mem = run(dipBar).memory;
    expect(run(recoveryBar, mem, { h: { ...uptrend60, close: 95, ema9: 96, ema21: 98 } }).intents).toEqual([]);
    expect(run({ ...recoveryBar, rsi7: 61 }, mem).intents).toEqual([]);
    // With RSI14 chosen, the dip bar's RSI14 of 35 was never oversold.
    expect(
      run(recoveryBar, run(dipBar, undefined, { params: { fastRsi: false } }).memory, { params: { fastRsi: false } })
        .intents,
    ).toEqual([]);
    expect(run({ ...recoveryBar, volumeSpike: 0.8 }, mem).intents).toEqual([]);
    // The dip must be recent: seven bars later it no longer counts (dipLookback 6).
    expect(run({ ...recoveryBar, lastClosedTs: T + 7 * M15 }, mem).intents).toEqual([]);
  });

  it('counts bars across a gap and does not advance twice on the same bar', () => {
    const mem = run(dipBar).memory!;
    const later = run({ ...recoveryBar, lastClosedTs: T + 3 * M15 }, mem).memory;
    expect(later).toEqual({ barTs: T + 3 * M15, barsSinceDip: 3, barsSinceOversold: 3 });
    expect(run({ ...recoveryBar, lastClosedTs: T + 3 * M15 }, later).memory).toEqual(later);
  });

  it('blocks the entry when the target does not clear one ATR (edge filter)', () => {
    const mem = run(dipBar).memory;
    const r = run({ ...recoveryBar, atr: 3 }, mem); // ATR 2.96% of price > 2% first rung
    expect(r.intents).toEqual([]);
    expect(r.decisions[0]).toMatchObject({ action: 'blocked' });
    expect(r.decisions[0].reasons.at(-1)).toMatch(/EdgeBelowAtr/);
  });

  it('skips markets with bad data or not warmed up', () => {
    const bad = run(recoveryBar, undefined, { snap: { quality: { ok: false, issues: ['gap of 3 bars'] } } });
    expect(bad.skipped).toBe('data quality: gap of 3 bars');
    const cold = evaluateMarket({
      strategy: pullback,
      params: pullback.defaults,
      snapshot: snapshot('KRW-X', T, { minute60: { ...uptrend60, barsSeen: 10 } }),
      context: context(T),
      ts: T,
    });
    expect(cold.skipped).toBe('warming up: minute60 10/60');
  });

  it('exits a held position when the 60m trend turns down', () => {
    const down = { close: 90, ema9: 92, ema21: 95, ema50: 100, ema200: 110, adx: 30 };
    const position = { market: 'KRW-X', entryPrice: 100, openedTs: T };
    const r = run(recoveryBar, undefined, { h: down, position });
    expect(r.intents).toMatchObject([{ kind: 'exit', score: 1 }]);
    expect(r.decisions[0].action).toBe('exit');
    expect(run(recoveryBar, undefined, { position }).intents).toEqual([]);
  });
});
