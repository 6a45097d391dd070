// When a session evaluates: right after each bar of its strategy's entry timeframe closes (as a backtest
// decides at each close), and every `loopIntervalSec` in between.
import { timeframeMs } from '../market/timeframes';
import { getStrategy } from '../strategy';
import type { SessionConfig } from './config';

/** An evaluation waits this long after a bar closes, for the exchange's last prints of that bar. */
export const BAR_SETTLE_MS = 1000;

/** Milliseconds from `now` to the next evaluation: the loop interval, or less when a bar settles first. */
export function untilNextEvaluation(config: Pick<SessionConfig, 'strategy' | 'loopIntervalSec'>, now: number): number {
  const intervalMs = config.loopIntervalSec * 1000;
  let barMs: number;
  try {
    barMs = timeframeMs(getStrategy(config.strategy).entryTimeframe);
  } catch {
    return intervalMs;
  }
  return Math.min(intervalMs, untilBarSettles(barMs, now));
}

/** Milliseconds from `now` to the next moment BAR_SETTLE_MS after a bar of `barMs` closes (a whole bar if now). */
export function untilBarSettles(barMs: number, now: number): number {
  const sinceSettled = (((now - BAR_SETTLE_MS) % barMs) + barMs) % barMs;
  return barMs - sinceSettled;
}
