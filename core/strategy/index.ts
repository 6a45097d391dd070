// Strategy registry: every built-in strategy by id. The session config and backtests name one by id.
import { breakout } from './strategies/breakout';
import { dualMomentum } from './strategies/dual-momentum';
import { ensemble } from './strategies/ensemble';
import { probe } from './strategies/probe';
import { pullback } from './strategies/pullback';
import { rsi } from './strategies/rsi';
import { rsiReversion } from './strategies/rsi-reversion';
import type { AnyStrategy } from './types';

export * from './evaluate';
export * from './factors';
export * from './params';
export type { BreakoutParams } from './strategies/breakout';
export type { DualMomentumParams } from './strategies/dual-momentum';
export type { EnsembleParams } from './strategies/ensemble';
export type { ProbeParams } from './strategies/probe';
export type { PullbackMemory, PullbackParams } from './strategies/pullback';
export type { RsiParams } from './strategies/rsi';
export type { RsiReversionParams } from './strategies/rsi-reversion';
export type * from './types';
export * from './universe';

export const strategies: Record<string, AnyStrategy> = Object.fromEntries(
  [pullback, breakout, dualMomentum, rsiReversion, rsi, ensemble, probe].map((s) => [s.id, s]),
);

/** The multi-factor pullback. */
export const DEFAULT_STRATEGY_ID = pullback.id;

export function getStrategy(id: string): AnyStrategy {
  // Own properties only: "constructor" or "__proto__" are no strategies.
  const s = Object.hasOwn(strategies, id) ? strategies[id] : undefined;
  if (!s) throw new Error(`unknown strategy "${id}"; known: ${Object.keys(strategies).join(', ')}`);
  return s;
}
