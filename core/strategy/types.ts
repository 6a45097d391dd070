// The strategy plugin interface. A strategy is a pure function of one market's closed-bar features
// (plus an optional per-market memory it declares itself); the same object runs live and in backtests.
import type { FeatureSnapshot, IndicatorName, MarketContext, Timeframe } from '../indicators';

/** One tunable parameter, JSON-schema-like so the dashboard can render it and the optimiser can search it. */
export type ParamSpec =
  | {
      type: 'number' | 'integer';
      minimum: number;
      maximum: number;
      /** Search/slider step; integers default to 1. */
      step?: number;
      default: number;
      title?: string;
      description: string;
    }
  | { type: 'boolean'; default: boolean; title?: string; description: string };

export interface ParamSchema {
  type: 'object';
  properties: Record<string, ParamSpec>;
}

/** What a strategy may know about a position it holds in this market (numbers are features, not money). */
export interface OpenPositionView {
  market: string;
  entryPrice: number;
  openedTs: number;
  /** Highest price since entry, when the caller tracks it. */
  highest?: number;
}

export interface StrategyInput<P, M = unknown> {
  market: string;
  snapshot: FeatureSnapshot;
  context: MarketContext;
  position?: OpenPositionView;
  params: P;
  /** Decision time (workflow time or bar time); strategies never read a clock. */
  ts: number;
  /** This market's memory after `memory.update` for the current bar (strategies with memory only). */
  memory?: M;
  /** The benchmark market's snapshot (KRW-BTC) for relative measures; strategies needing it do nothing without it. */
  benchmark?: FeatureSnapshot;
}

export interface Intent {
  kind: 'entry' | 'exit';
  market: string;
  /** Composite score in [-1, 1]; entries need score >= the strategy's threshold, exits are scored likewise. */
  score: number;
  reasons: string[];
  /** Planned move to the first target, in % (entries). Checked by the fee/edge filter. */
  targetPct?: number;
  /** Planned stop distance, in % (entries). */
  stopPct?: number;
  /** Factor values in [-1, 1] and the few raw numbers that explain the score. */
  factors: Record<string, number>;
}

/** Per-market memory a strategy carries between closed bars, as plain JSON (pure update). */
export interface StrategyMemory<P, M> {
  initial(): M;
  /** Advances the memory with the newest closed bar; called once per new bar, idempotent for the same bar. */
  update(memory: M, input: StrategyInput<P, M>): M;
}

// biome-ignore lint/suspicious/noExplicitAny: strategies differ in memory; the registry holds them all
export interface Strategy<P, M = any> {
  id: string;
  name: string;
  description: string;
  params: ParamSchema;
  defaults: P;
  /** The bar whose close drives evaluate (entries are timed on it; the exit plan counts its bars). */
  entryTimeframe: Timeframe;
  /** Closed bars each timeframe needs before the strategy may enter. */
  warmupBars: Partial<Record<Timeframe, number>>;
  /**
   * Every timeframe `evaluate` and `memory.update` read (indicators or bars). A backtest computes features only
   * for these and the entry timeframe (featureTimeframesOf); reading any other timeframe's features throws, its
   * `barsSeen` (warm-up) excepted.
   */
  timeframes: readonly Timeframe[];
  /**
   * Per timeframe, every indicator `evaluate` and `memory.update` read there; a timeframe not listed gets them all
   * (so a strategy that lists none runs as before). A backtest computes only these, plus on the entry timeframe
   * what the decision path reads (featureIndicatorsOf); reading another throws UndeclaredIndicatorError. Close, bar
   * counts and the recent bars are always there.
   */
  indicators?: Partial<Record<Timeframe, readonly IndicatorName[]>>;
  evaluate(input: StrategyInput<P, M>): Intent[];
  memory?: StrategyMemory<P, M>;
}

export type DecisionAction = 'entry' | 'exit' | 'hold' | 'blocked';

/** The inputs and scores behind one decision: small JSON for Temporal history and the `decisions` table. */
export interface Decision {
  market: string;
  strategyId: string;
  ts: number;
  action: DecisionAction;
  score: number;
  reasons: string[];
  factors: Record<string, number>;
  /** The raw inputs the scores came from (a handful of rounded numbers, never whole series). */
  inputs: Record<string, number | string | boolean | null>;
}

/** A strategy of any parameter and memory type, as the registry and the callers hold it. */
// biome-ignore lint/suspicious/noExplicitAny: parameters and memory differ per strategy; validateParams narrows them
export type AnyStrategy = Strategy<any, any>;
