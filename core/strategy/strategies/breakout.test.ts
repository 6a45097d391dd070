import { describe, expect, it } from 'vitest';
import type { TimeframeFeatures } from '../../indicators';
import { evaluateMarket } from '../evaluate';
import { context, snapshot } from '../test-snapshot';
import { breakout } from './breakout';

const DAY = 86_400_000;
const TODAY = Date.UTC(2026, 2, 10);
const TS = TODAY + 5 * 3_600_000;
// Yesterday: high 112, low 104 (range 8), close 110; 5-day average 104.4 < 110.
const days: Partial<TimeframeFeatures> = {
  ts: [5, 4, 3, 2, 1].map((d) => TODAY - d * DAY),
  closes: [100, 102, 104, 106, 110],
  highs: [101, 103, 105, 107, 112],
  lows: [99, 101, 103, 105, 104],
};
const hours: Partial<TimeframeFeatures> = {
  ts: [TODAY - 3_600_000, TODAY, TODAY + 3_600_000],
  opens: [109, 110.5, 111],
};

function run(lastPrice: number, over: { day?: Partial<TimeframeFeatures>; params?: object; position?: object } = {}) {
  return evaluateMarket({
    strategy: breakout,
    params: { ...breakout.defaults, ...over.params },
    snapshot: snapshot(
      'KRW-X',
      TS,
      { day: { ...days, ...over.day }, minute60: hours, minute15: { close: lastPrice } },
      { lastPrice },
    ),
    context: context(TS),
    ts: TS,
    position: over.position as never,
  });
}

describe('volatility breakout', () => {
  it("buys above today's open + k x yesterday's range", () => {
    // open = first 60m bar of today = 110.5; level = 110.5 + 0.5 x 8 = 114.5
    expect(run(114.4).intents).toEqual([]);
    const r = run(114.5);
    expect(r.intents).toHaveLength(1);
    expect(r.intents[0].factors.breakoutLevel).toBe(114.5);
    expect(run(114.5, { params: { k: 0.6 } }).intents).toEqual([]); // 110.5 + 4.8 = 115.3
  });

  it('needs a fresh previous day, a wide enough range and the 5-day trend', () => {
    expect(run(120, { day: { ts: days.ts!.map((t) => t - DAY) } }).intents).toEqual([]);
    expect(run(120, { params: { minRangePct: 8 } }).intents).toEqual([]); // range 7.27% of close
    const flat = { closes: [100, 110, 120, 115, 110] }; // average 111 > 110
    expect(run(120, { day: flat }).intents).toEqual([]);
    expect(run(120, { day: flat, params: { trendFilter: false } }).intents).toHaveLength(1);
  });

  it('sells at the next day open', () => {
    expect(
      run(100, { position: { market: 'KRW-X', entryPrice: 115, openedTs: TODAY - 3_600_000 } }).intents,
    ).toMatchObject([{ kind: 'exit' }]);
    expect(run(100, { position: { market: 'KRW-X', entryPrice: 115, openedTs: TODAY + 3_600_000 } }).intents).toEqual(
      [],
    );
  });
});
