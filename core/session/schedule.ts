// When a session evaluates: right after each bar of its strategy's entry timeframe closes (as a backtest
// decides at each close), and every `loopIntervalSec` in between.
import { timeframeMs } from '../market/timeframes';
import { entryTimeframeOf, type SessionConfig } from './config';

/** An evaluation waits this long after a bar closes, for the exchange's last prints of that bar. */
export const BAR_SETTLE_MS = 1000;

/** Milliseconds from `now` to the next evaluation: the loop interval, or less when a bar settles first. */
export function untilNextEvaluation(config: Pick<SessionConfig, 'strategy' | 'loopIntervalSec'>, now: number): number {
  const intervalMs = config.loopIntervalSec * 1000;
  const timeframe = entryTimeframeOf(config);
  return timeframe ? Math.min(intervalMs, untilBarSettles(timeframeMs(timeframe), now)) : intervalMs;
}

/** Milliseconds from `now` to the next moment BAR_SETTLE_MS after a bar of `barMs` closes (a whole bar if now). */
export function untilBarSettles(barMs: number, now: number): number {
  const sinceSettled = (((now - BAR_SETTLE_MS) % barMs) + barMs) % barMs;
  return barMs - sinceSettled;
}
