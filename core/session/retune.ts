// Scheduled re-tuning of a session's strategy parameters: how the lookback is cut into walk-forward folds, and the
// rule that decides whether the optimiser's winner replaces the running parameters. Pure: the retune workflow and
// its activities call these, the tests check them directly.
import type { WalkForwardSpec } from '../backtest/walkforward';
import { type AnyStrategy, validateParams } from '../strategy';
import type { RetuneConfig } from './config';

const DAY_MS = 86_400_000;

/**
 * Folds over a lookback of `days`: anchored, training on at least the first half, each test window a quarter; the
 * last half of the lookback is judged out of sample in two folds.
 */
export function retuneFolds(days: number): WalkForwardSpec {
  const quarter = Math.floor((days * DAY_MS) / 4);
  return { mode: 'anchored', trainMs: 2 * quarter, testMs: quarter };
}

export type RetuneDecision =
  | { action: 'keep'; reason: string }
  | { action: 'propose' | 'apply'; reason: string; params: Record<string, number | boolean> };

/**
 * Keep, propose or apply. Scores are the objective on the same out-of-sample windows (null: no score, e.g. no
 * trades). The winner must score higher than the running parameters by `minImprovement`, differ from them, and lie
 * within the strategy's parameter bounds; anything else keeps what runs.
 */
export function decideRetune(input: {
  strategy: AnyStrategy;
  retune: Pick<RetuneConfig, 'apply' | 'minImprovement'>;
  current: Record<string, number | boolean>;
  candidate: Record<string, number | boolean>;
  currentScore: number | null;
  candidateScore: number | null;
}): RetuneDecision {
  const { current, candidate, retune } = input;
  const bounds = validateParams(input.strategy, candidate);
  if (!bounds.ok)
    return { action: 'keep', reason: `winner outside the strategy's bounds: ${bounds.errors.join('; ')}` };
  const params = bounds.params as Record<string, number | boolean>;
  const full = validateParams(input.strategy, current);
  const running = full.ok ? (full.params as Record<string, number | boolean>) : current;
  if (Object.keys(params).every((k) => params[k] === running[k]))
    return { action: 'keep', reason: 'the winner is the running parameter set' };
  if (input.candidateScore === null) return { action: 'keep', reason: 'the winner has no out-of-sample score' };
  const base = input.currentScore ?? Number.NEGATIVE_INFINITY;
  const margin = input.candidateScore - base;
  const shown = (x: number | null) => (x === null ? 'none' : x.toFixed(4));
  // A hair of tolerance: 1.2 - 1 is 0.19999999999999996 in floating point, and a margin of 0.2 means it.
  if (!(margin > 0 && margin >= retune.minImprovement - 1e-9))
    return {
      action: 'keep',
      reason: `out of sample ${shown(input.candidateScore)} against ${shown(input.currentScore)}: not better by ${retune.minImprovement}`,
    };
  return {
    action: retune.apply === 'auto' ? 'apply' : 'propose',
    reason: `out of sample ${shown(input.candidateScore)} against ${shown(input.currentScore)}`,
    params,
  };
}
