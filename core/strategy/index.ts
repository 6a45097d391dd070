// Strategy registry: every built-in strategy by id. The session config and backtests name one by id.
import { pullback } from './strategies/pullback';
import type { AnyStrategy } from './types';

export * from './evaluate';
export * from './factors';
export * from './params';
export type { PullbackMemory, PullbackParams } from './strategies/pullback';
export type * from './types';

export const strategies: Record<string, AnyStrategy> = {
  [pullback.id]: pullback,
};

export const DEFAULT_STRATEGY_ID = pullback.id;

export function getStrategy(id: string): AnyStrategy {
  const s = strategies[id];
  if (!s) throw new Error(`unknown strategy "${id}"; known: ${Object.keys(strategies).join(', ')}`);
  return s;
}
