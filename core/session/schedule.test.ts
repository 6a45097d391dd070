import { describe, expect, it } from 'vitest';
import { BAR_SETTLE_MS, untilNextEvaluation } from './schedule';

const MINUTE = 60_000;
const T = Date.parse('2026-11-21T09:00:00Z'); // a close of every timeframe up to 1 hour

describe('untilNextEvaluation', () => {
  it('wakes when the next entry-timeframe bar has closed and settled, if that comes before the interval', () => {
    // probe decides on 1-minute bars; the interval (60 s) is longer than the way to the next close.
    const probe = { strategy: 'probe', loopIntervalSec: 60 };
    expect(untilNextEvaluation(probe, T + 20_000)).toBe(MINUTE - 20_000 + BAR_SETTLE_MS);
    // Just before the settle point of the close at T: wait for it, not for the next minute.
    expect(untilNextEvaluation(probe, T + 400)).toBe(BAR_SETTLE_MS - 400);
    // Exactly at the settle point (the evaluation that just ran): the next one is a whole bar on.
    expect(untilNextEvaluation(probe, T + BAR_SETTLE_MS)).toBe(MINUTE);
  });

  it('keeps the loop interval between closes', () => {
    // pullback decides on 15-minute bars; a 10 s interval wakes it in between.
    expect(untilNextEvaluation({ strategy: 'pullback', loopIntervalSec: 10 }, T + 2 * MINUTE)).toBe(10_000);
    expect(untilNextEvaluation({ strategy: 'pullback', loopIntervalSec: 3600 }, T + 2 * MINUTE)).toBe(
      13 * MINUTE + BAR_SETTLE_MS,
    );
  });

  it('falls back to the interval for an unknown strategy', () => {
    expect(untilNextEvaluation({ strategy: 'no-such', loopIntervalSec: 7 }, T + 123)).toBe(7_000);
  });
});
