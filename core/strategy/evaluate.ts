// The one way live trading and the backtester run a strategy on a market: data-quality gate,
// memory update, warm-up gate, the strategy itself, then the fee/edge filter on entries. Every
// resulting entry, exit or blocked entry comes back as a small Decision.
import type { FeatureSnapshot, IndicatorName, MarketContext, QualityFlag, Timeframe } from '../indicators';
import type { DecimalInput } from '../market';
import type { DataQualityConfig, RiskConfig } from '../risk';
import { CLOSED_BAR_INDICATORS, checkEdge, DEFAULT_DATA_QUALITY_CONFIG, DEFAULT_RISK_CONFIG } from '../risk';
import { round4 } from './factors';
import type { Decision, Intent, OpenPositionView, Strategy, StrategyInput } from './types';

export interface EvaluateMarketInput<P, M> {
  strategy: Strategy<P, M>;
  params: P;
  snapshot: FeatureSnapshot;
  context: MarketContext;
  position?: OpenPositionView;
  /** This market's memory from the previous call (undefined the first time). */
  memory?: M;
  /** KRW-BTC's snapshot, for strategies with relative measures (dual momentum). */
  benchmark?: FeatureSnapshot;
  ts: number;
  /** Exit ladder (default target), edge filter and data-quality gate; DEFAULT_RISK_CONFIG when absent. */
  risk?: Pick<RiskConfig, 'exit' | 'edge'> & Partial<Pick<RiskConfig, 'dataQuality'>>;
  feeRate?: DecimalInput;
  /**
   * False: every decision's `inputs` (the numbers a person reads it by) stays empty, so nothing reads the snapshot
   * for them (EXPLANATION_INDICATORS, corrBtc, regime). The backtester keeps no decisions; the outcome (intents,
   * decision actions and reasons) is the same either way. Default true.
   */
  explain?: boolean;
}

export interface EvaluateMarketResult<M> {
  /** Entries that passed every gate, and exits. */
  intents: readonly Intent[];
  /** Store this and pass it back next time. */
  memory: M | undefined;
  decisions: readonly Decision[];
  /** Why the strategy was not asked at all (bad data, not warmed up), when it wasn't. */
  skipped?: string;
}

/**
 * The timeframes whose features running `strategy` reads: its own, and its entry timeframe (decision inputs and
 * the edge filter here; sizing, correlations and the exit plan in the callers). A feature engine may compute only
 * these (FeatureEngineOptions.featureTimeframes).
 */
export function featureTimeframesOf(strategy: Strategy<unknown>): Timeframe[] {
  return [...new Set([...strategy.timeframes, strategy.entryTimeframe])];
}

/**
 * The entry timeframe's indicators the decision path reads whatever the strategy: the edge filter and sizing (atr),
 * the exit plan's blow-off and ATR refresh (rsi14, volumeSpike, atr).
 */
export const DECISION_INDICATORS: readonly IndicatorName[] = [
  ...new Set<IndicatorName>([...CLOSED_BAR_INDICATORS, 'atr']),
];

/** The entry timeframe's indicators a decision's explanation (decisionInputs) reads besides DECISION_INDICATORS. */
export const EXPLANATION_INDICATORS: readonly IndicatorName[] = ['ema21', 'ema50', 'adx'];

/**
 * The indicators per timeframe running `strategy` reads (FeatureEngineOptions.featureIndicators): those it lists,
 * and on its entry timeframe DECISION_INDICATORS too, and EXPLANATION_INDICATORS unless the decisions are evaluated
 * with `explain: false` (`explained: false`; the backtester). Timeframes it does not list are left out: they compute
 * all.
 */
export function featureIndicatorsOf(
  strategy: Strategy<unknown>,
  options: { explained?: boolean } = {},
): Partial<Record<Timeframe, IndicatorName[]>> {
  const decision =
    options.explained === false ? DECISION_INDICATORS : [...DECISION_INDICATORS, ...EXPLANATION_INDICATORS];
  const out: Partial<Record<Timeframe, IndicatorName[]>> = {};
  for (const [tf, names] of Object.entries(strategy.indicators ?? {}) as [Timeframe, readonly IndicatorName[]][])
    out[tf] = [...new Set([...names, ...(tf === strategy.entryTimeframe ? decision : [])])];
  return out;
}

/** The handful of raw numbers a decision is explained by. */
export function decisionInputs(snapshot: FeatureSnapshot, strategy: Strategy<unknown>) {
  const f = snapshot.timeframes[strategy.entryTimeframe];
  const n = (x: number | null | undefined) => (x === null || x === undefined ? null : round4(x));
  return {
    timeframe: strategy.entryTimeframe,
    barTs: f.lastClosedTs,
    close: n(f.close),
    lastPrice: n(snapshot.lastPrice),
    ema21: n(f.ema21),
    ema50: n(f.ema50),
    rsi14: n(f.rsi14),
    adx: n(f.adx),
    atr: n(f.atr),
    volumeSpike: n(f.volumeSpike),
    corrBtc: n(snapshot.corrBtc),
    regime: snapshot.regime.label,
  };
}

/** The quality reasons that keep the strategy from being asked, after the config waived the spikes it tolerates. */
export function qualityBlocks(quality: QualityFlag, config: DataQualityConfig = DEFAULT_DATA_QUALITY_CONFIG): string[] {
  if (quality.ok) return [];
  // The move as the spike's reason shows it: |log return| x 100.
  const waived = new Set(
    (quality.spikes ?? [])
      .filter((s) => !config.spikeGate || s.move * 100 < config.spikeMinMovePct)
      .map((s) => s.reason),
  );
  return waived.size ? quality.issues.filter((i) => !waived.has(i)) : quality.issues;
}

/** What the strategy (and its memory's update) is given: one literal, one object shape. */
function strategyInput<P, M>(input: EvaluateMarketInput<P, M>, memory: M | undefined): StrategyInput<P, M> {
  return {
    market: input.snapshot.market,
    snapshot: input.snapshot,
    context: input.context,
    position: input.position,
    params: input.params,
    benchmark: input.benchmark,
    ts: input.ts,
    memory,
  };
}

/** The empty lists of most evaluations, one frozen array (an evaluation runs for every market at every decision). */
const NONE: readonly never[] = Object.freeze([]);

export function evaluateMarket<P, M>(input: EvaluateMarketInput<P, M>): EvaluateMarketResult<M> {
  const { strategy, snapshot, ts } = input;
  const risk = input.risk ?? DEFAULT_RISK_CONFIG;
  if (!snapshot.quality.ok) {
    const blocking = qualityBlocks(snapshot.quality, risk.dataQuality);
    if (blocking.length)
      return { intents: NONE, memory: input.memory, decisions: NONE, skipped: `data quality: ${blocking.join('; ')}` };
  }

  const memory = strategy.memory
    ? strategy.memory.update(input.memory ?? strategy.memory.initial(), strategyInput(input, input.memory))
    : undefined;

  // A plain loop: this runs for every market at every decision.
  let cold = '';
  for (const tf in strategy.warmupBars) {
    const n = strategy.warmupBars[tf as Timeframe];
    const seen = snapshot.timeframes[tf as Timeframe].barsSeen;
    if (seen < (n ?? 0)) cold += `${cold ? ', ' : ''}${tf} ${seen}/${n}`;
  }
  if (cold && !input.position) return { intents: NONE, memory, decisions: NONE, skipped: `warming up: ${cold}` };

  const raw = strategy.evaluate(strategyInput(input, memory));
  if (raw.length === 0) return { intents: NONE, memory, decisions: NONE };
  const explain = input.explain !== false;
  const inputs = explain ? decisionInputs(snapshot, strategy as Strategy<unknown>) : {};
  const intents: Intent[] = [];
  const decisions: Decision[] = [];
  const f = snapshot.timeframes[strategy.entryTimeframe];
  for (const intent of raw) {
    const decision: Decision = {
      market: intent.market,
      strategyId: strategy.id,
      ts,
      action: intent.kind,
      score: intent.score,
      reasons: intent.reasons,
      factors: intent.factors,
      inputs,
    };
    if (intent.kind === 'entry') {
      const targetPct = intent.targetPct ?? risk.exit.takeProfit[0]?.atPct ?? 0;
      const price = snapshot.lastPrice ?? f.close;
      const edge = checkEdge({ price, targetPct, atr: f.atr ?? 0, feeRate: input.feeRate, config: risk.edge });
      if (explain)
        decision.inputs = {
          ...inputs,
          targetPct: round4(targetPct),
          costPct: round4(edge.costPct),
          atrPct: round4(edge.atrPct),
        };
      if (!edge.ok) {
        decisions.push({ ...decision, action: 'blocked', reasons: [...intent.reasons, edge.reason] });
        continue;
      }
    }
    intents.push(intent);
    decisions.push(decision);
  }
  return { intents, memory, decisions };
}
